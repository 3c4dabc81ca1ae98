using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

// Writes a Markdown API reference from an assembly and its XML documentation file:
//   Coputer.ApiDocs ASSEMBLY.dll OUTPUT.md
// Only public types and members are listed (the XML file also holds internal members' comments), grouped by
// namespace and type, in name order, with each member's summary and remarks.
if (args is not [var assemblyPath, var outputPath])
{
    Console.Error.WriteLine("usage: Coputer.ApiDocs ASSEMBLY.dll OUTPUT.md");
    return 2;
}
string xmlPath = Path.ChangeExtension(assemblyPath, ".xml");
if (!File.Exists(assemblyPath) || !File.Exists(xmlPath))
{
    Console.Error.WriteLine($"need {assemblyPath} and {xmlPath} (build with GenerateDocumentationFile)");
    return 1;
}

var assembly = Assembly.LoadFrom(Path.GetFullPath(assemblyPath));
var docs = XDocument.Load(xmlPath).Root!.Element("members")!.Elements("member")
    .ToDictionary(m => (string)m.Attribute("name")!, m => m);

var output = new StringBuilder();
string name = assembly.GetName().Name!;
output.AppendLine($"# {name} API reference");
output.AppendLine();
output.AppendLine($"Generated from the XML documentation of {name} {assembly.GetName().Version} by `tools/Coputer.ApiDocs`; do not edit by hand.");

var types = assembly.GetExportedTypes().OrderBy(t => t.Namespace, StringComparer.Ordinal).ThenBy(t => TypeName(t), StringComparer.Ordinal);
foreach (var group in types.GroupBy(t => t.Namespace ?? ""))
{
    output.AppendLine();
    output.AppendLine($"## {group.Key}");
    foreach (var type in group)
    {
        output.AppendLine();
        output.AppendLine($"### {Kind(type)} `{TypeName(type)}`");
        output.AppendLine();
        AppendDoc(output, docs.GetValueOrDefault("T:" + DocName(type)));
        foreach (var (id, display) in Members(type).OrderBy(m => m.Display, StringComparer.Ordinal))
        {
            if (!docs.TryGetValue(id, out var member))
                continue;
            output.AppendLine($"- `{display}`: {Inline(member.Element("summary"))}");
        }
    }
}
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputPath))!);
File.WriteAllText(outputPath, output.ToString().Replace("\r\n", "\n"));
Console.WriteLine($"wrote {outputPath}");
return 0;

static string Kind(Type t) =>
    t.IsEnum ? "enum" : t.IsInterface ? "interface" : t.IsValueType ? "struct" : typeof(Delegate).IsAssignableFrom(t) ? "delegate" : "class";

static string TypeName(Type t)
{
    string n = t.Name;
    int tick = n.IndexOf('`');
    if (tick >= 0)
        n = n[..tick] + "<" + string.Join(", ", t.GetGenericArguments().Select(a => a.Name)) + ">";
    return t.DeclaringType is { } outer ? TypeName(outer) + "." + n : n;
}

// The documentation id of a type, as the compiler writes it ("Ns.Outer.Inner`1").
static string DocName(Type t) => (t.FullName ?? t.Name).Replace('+', '.');

// The public members declared by the type, with their documentation ids.
static IEnumerable<(string Id, string Display)> Members(Type type)
{
    const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
    string owner = DocName(type);
    foreach (var m in type.GetMembers(flags))
    {
        switch (m)
        {
            case FieldInfo f when !type.IsEnum || f.IsLiteral:
                yield return ($"F:{owner}.{f.Name}", f.Name);
                break;
            case PropertyInfo p:
                yield return ($"P:{owner}.{p.Name}{Parameters(p.GetIndexParameters(), [])}", p.Name + (p.GetIndexParameters().Length > 0 ? "[...]" : ""));
                break;
            case EventInfo e:
                yield return ($"E:{owner}.{e.Name}", e.Name);
                break;
            case MethodBase b when !b.IsSpecialName || b is ConstructorInfo || b.Name.StartsWith("op_", StringComparison.Ordinal):
                {
                    var generic = b.IsGenericMethod ? b.GetGenericArguments() : [];
                    string methodName = b is ConstructorInfo ? "#ctor" : b.Name;
                    string arity = generic.Length > 0 ? "``" + generic.Length : "";
                    string id = $"M:{owner}.{methodName}{arity}{Parameters(b.GetParameters(), generic)}";
                    if (b is MethodInfo { Name: "op_Implicit" or "op_Explicit" } conversion)
                        id += "~" + ParameterType(conversion.ReturnType, generic);
                    string shown = (b is ConstructorInfo ? TypeName(type) : b.Name) +
                        (generic.Length > 0 ? "<" + string.Join(", ", generic.Select(g => g.Name)) + ">" : "") +
                        "(" + string.Join(", ", b.GetParameters().Select(p => ShortType(p.ParameterType))) + ")";
                    yield return (id, shown);
                    break;
                }
        }
    }
}

static string Parameters(ParameterInfo[] parameters, Type[] methodGenerics) =>
    parameters.Length == 0 ? "" : "(" + string.Join(",", parameters.Select(p => ParameterType(p.ParameterType, methodGenerics))) + ")";

// A parameter type as documentation ids spell it: generic arguments in braces, by-ref as @, method generics as ``n.
static string ParameterType(Type t, Type[] methodGenerics)
{
    if (t.IsByRef)
        return ParameterType(t.GetElementType()!, methodGenerics) + "@";
    if (t.IsArray)
        return ParameterType(t.GetElementType()!, methodGenerics) + "[" + new string(',', t.GetArrayRank() - 1) + "]";
    if (t.IsPointer)
        return ParameterType(t.GetElementType()!, methodGenerics) + "*";
    if (t.IsGenericParameter)
        return t.DeclaringMethod is not null ? "``" + t.GenericParameterPosition : "`" + t.GenericParameterPosition;
    if (t.IsGenericType)
    {
        var definition = t.GetGenericTypeDefinition();
        string baseName = (definition.FullName ?? definition.Name).Replace('+', '.');
        baseName = baseName[..baseName.IndexOf('`')];
        return baseName + "{" + string.Join(",", t.GetGenericArguments().Select(a => ParameterType(a, methodGenerics))) + "}";
    }
    return (t.FullName ?? t.Name).Replace('+', '.');
}

static string ShortType(Type t)
{
    if (t.IsByRef)
        return ShortType(t.GetElementType()!);
    if (t.IsArray)
        return ShortType(t.GetElementType()!) + "[]";
    if (t.IsGenericType)
    {
        string n = t.Name[..t.Name.IndexOf('`')];
        if (n == "Nullable")
            return ShortType(t.GetGenericArguments()[0]) + "?";
        return n + "<" + string.Join(", ", t.GetGenericArguments().Select(ShortType)) + ">";
    }
    return t.Name;
}

static void AppendDoc(StringBuilder output, XElement? member)
{
    if (member is null)
        return;
    output.AppendLine(Inline(member.Element("summary")));
    if (member.Element("remarks") is { } remarks)
    {
        output.AppendLine();
        output.AppendLine(Inline(remarks));
    }
    if (member.Element("example") is { } example && example.Element("code") is { } code)
    {
        output.AppendLine();
        output.AppendLine("```csharp");
        output.AppendLine(Dedent(code.Value));
        output.AppendLine("```");
    }
}

// Documentation XML as one paragraph (or several for <para>) of Markdown.
static string Inline(XElement? element)
{
    if (element is null)
        return "";
    var text = new StringBuilder();
    foreach (var node in element.Nodes())
    {
        switch (node)
        {
            case XText t:
                text.Append(t.Value);
                break;
            case XElement e:
                switch (e.Name.LocalName)
                {
                    case "see" or "seealso":
                        text.Append('`').Append(CrefName((string?)e.Attribute("cref") ?? (string?)e.Attribute("langword") ?? e.Value)).Append('`');
                        break;
                    case "paramref" or "typeparamref":
                        text.Append('`').Append((string?)e.Attribute("name")).Append('`');
                        break;
                    case "c":
                        text.Append('`').Append(e.Value).Append('`');
                        break;
                    case "para":
                        text.Append("\n\n").Append(Inline(e)).Append("\n\n");
                        break;
                    case "list":
                        foreach (var item in e.Elements("item"))
                            text.Append("\n- ").Append(Inline(item.Element("description") ?? item));
                        text.Append('\n');
                        break;
                    default:
                        text.Append(Inline(e));
                        break;
                }
                break;
        }
    }
    string result = Regex.Replace(text.ToString(), @"[ \t]*\n[ \t]*(?!\n|- )", m => m.Value.Contains("\n\n") ? m.Value : " ");
    result = Regex.Replace(result, @"[ \t]+", " ");
    result = Regex.Replace(result, @"\n{3,}", "\n\n");
    return result.Trim();
}

// "M:Ns.Type.Method(System.Int32)" as "Type.Method".
static string CrefName(string cref)
{
    string s = cref.Length > 2 && cref[1] == ':' ? cref[2..] : cref;
    int paren = s.IndexOf('(');
    if (paren >= 0)
        s = s[..paren];
    s = Regex.Replace(s, "`+[0-9]+", "");
    var parts = s.Split('.');
    return parts.Length >= 2 && cref.StartsWith("T:", StringComparison.Ordinal) ? parts[^1] : string.Join('.', parts.TakeLast(2));
}

static string Dedent(string code)
{
    var lines = code.Replace("\r\n", "\n").Trim('\n').Split('\n');
    int indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
    return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
}
