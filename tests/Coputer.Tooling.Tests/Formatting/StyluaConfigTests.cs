using Coputer.Tooling.Formatting;

namespace Coputer.Tooling.Tests.Formatting;

public class StyluaConfigTests
{
    [Fact]
    public void ReadsStyluaOptionNames()
    {
        FormatOptions options = StyluaConfig.Parse("""
            column_width = 80
            line_endings = "Windows"
            indent_type = "Spaces"
            indent_width = 2
            quote_style = "ForceSingle"
            call_parentheses = "NoSingleTable"
            collapse_simple_statement = "Always"
            space_after_function_names = "Definitions"
            block_newline_gaps = "Preserve"
            syntax = "Luau"

            [sort_requires]
            enabled = true
            """, "stylua.toml");
        Assert.Equal(new FormatOptions
        {
            ColumnWidth = 80,
            LineEndings = LineEndings.Windows,
            IndentType = IndentType.Spaces,
            IndentWidth = 2,
            QuoteStyle = QuoteStyle.ForceSingle,
            CallParentheses = CallParentheses.NoSingleTable,
            CollapseSimpleStatement = CollapseSimpleStatement.Always,
            SpaceAfterFunctionNames = SpaceAfterFunctionNames.Definitions,
            BlockNewlineGaps = BlockNewlineGaps.Preserve,
        }, options);
    }

    [Theory]
    [InlineData("colum_width = 80", "stylua.toml: unknown option 'colum_width'")]
    [InlineData("column_width = \"wide\"", "stylua.toml: 'column_width' must be a whole number from 1 to 10000")]
    [InlineData("indent_type = \"Tab\"", "stylua.toml: 'indent_type' must be one of Tabs, Spaces")]
    [InlineData("column_width = ", "stylua.toml: invalid TOML")]
    public void BadFilesAreReportedWithTheirName(string text, string message)
    {
        var e = Assert.Throws<FormatConfigException>(() => StyluaConfig.Parse(text, "stylua.toml"));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheNearestFileBesideOrAboveApplies()
    {
        string root = Directory.CreateTempSubdirectory("stylua").FullName;
        try
        {
            string inner = Directory.CreateDirectory(Path.Combine(root, "a", "b")).FullName;
            File.WriteAllText(Path.Combine(root, "stylua.toml"), "column_width = 50");
            Assert.Equal(50, StyluaConfig.ForFile(Path.Combine(inner, "x.luau")).ColumnWidth);
            File.WriteAllText(Path.Combine(root, "a", ".stylua.toml"), "column_width = 60");
            Assert.Equal(60, StyluaConfig.ForFile(Path.Combine(inner, "x.luau")).ColumnWidth);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
