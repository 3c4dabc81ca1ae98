using System.Text;
using System.Text.Encodings.Web;

namespace Coputer.Gateway.Pages;

/// <summary>
/// A small HTML writer for the node's own pages: text and attribute values are always escaped, markup is written
/// only from literals in this assembly.
/// </summary>
public sealed class Html
{
    private readonly StringBuilder _out = new();

    /// <summary>Escapes text for an element's content or a quoted attribute value.</summary>
    public static string Escape(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    /// <summary>Appends markup written in this assembly (never user data).</summary>
    public Html Raw(string markup)
    {
        _out.Append(markup);
        return this;
    }

    /// <summary>Appends escaped text.</summary>
    public Html Text(string? text)
    {
        _out.Append(Escape(text));
        return this;
    }

    /// <summary>Appends <c>&lt;tag&gt;text&lt;/tag&gt;</c> with the text escaped.</summary>
    public Html Element(string tag, string? text, string? cssClass = null)
    {
        _out.Append('<').Append(tag);
        if (cssClass is not null)
            _out.Append(" class=\"").Append(cssClass).Append('"');
        _out.Append('>').Append(Escape(text)).Append("</").Append(tag).Append('>');
        return this;
    }

    /// <summary>Appends a link with escaped address and text.</summary>
    public Html Link(string href, string? text, string? cssClass = null)
    {
        _out.Append("<a href=\"").Append(Escape(href)).Append('"');
        if (cssClass is not null)
            _out.Append(" class=\"").Append(cssClass).Append('"');
        _out.Append('>').Append(Escape(text)).Append("</a>");
        return this;
    }

    public override string ToString() => _out.ToString();
}
