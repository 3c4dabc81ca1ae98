namespace Coputer.Tooling.Formatting;

public enum IndentType
{
    Tabs,
    Spaces,
}

public enum LineEndings
{
    Unix,
    Windows,
}

/// <summary>Which quotes strings get; the Auto styles fall back to the other quote when that needs fewer escapes.</summary>
public enum QuoteStyle
{
    AutoPreferDouble,
    AutoPreferSingle,
    ForceDouble,
    ForceSingle,
}

/// <summary>When a call with a single string or table argument keeps its parentheses.</summary>
public enum CallParentheses
{
    /// <summary><c>f "x"</c> becomes <c>f("x")</c>.</summary>
    Always,

    /// <summary><c>f("x")</c> becomes <c>f "x"</c>.</summary>
    NoSingleString,

    /// <summary><c>f({})</c> becomes <c>f {}</c>.</summary>
    NoSingleTable,

    /// <summary>Both of the above.</summary>
    None,

    /// <summary>As written.</summary>
    Input,
}

/// <summary>Which short blocks may stay on one line: <c>if x then return end</c>, <c>function() return 1 end</c>.</summary>
public enum CollapseSimpleStatement
{
    Never,
    FunctionOnly,
    ConditionalOnly,
    Always,
}

/// <summary>Whether a space goes between a function's name and its parentheses.</summary>
public enum SpaceAfterFunctionNames
{
    Never,
    Definitions,
    Calls,
    Always,
}

/// <summary>Whether blank lines at the start and end of a block are kept.</summary>
public enum BlockNewlineGaps
{
    Never,
    Preserve,
}

/// <summary>How to format. The names and defaults are StyLua's, so a project's <c>stylua.toml</c> applies as it is.</summary>
public sealed record FormatOptions
{
    public static FormatOptions Default { get; } = new();

    /// <summary>The width lines are wrapped at (a guide: a long string or name can still go past it).</summary>
    public int ColumnWidth { get; init; } = 120;
    public LineEndings LineEndings { get; init; } = LineEndings.Unix;
    public IndentType IndentType { get; init; } = IndentType.Tabs;

    /// <summary>Spaces per level with <see cref="IndentType.Spaces"/>; the width a tab counts for otherwise.</summary>
    public int IndentWidth { get; init; } = 4;
    public QuoteStyle QuoteStyle { get; init; } = QuoteStyle.AutoPreferDouble;
    public CallParentheses CallParentheses { get; init; } = CallParentheses.Always;
    public CollapseSimpleStatement CollapseSimpleStatement { get; init; } = CollapseSimpleStatement.Never;
    public SpaceAfterFunctionNames SpaceAfterFunctionNames { get; init; } = SpaceAfterFunctionNames.Never;
    public BlockNewlineGaps BlockNewlineGaps { get; init; } = BlockNewlineGaps.Never;
}
