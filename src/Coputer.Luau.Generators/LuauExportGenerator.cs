using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Coputer.Luau.Generators;

/// <summary>
/// Writes a <c>LuauTypeBinding</c> for every <c>[LuauExport]</c> partial class: a switch over its members that
/// converts Luau arguments, calls the .NET member directly and converts the results back. Everything is decided
/// here, at compile time; the generated code uses no reflection.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class LuauExportGenerator : IIncrementalGenerator
{
    private const string ExportAttribute = "Coputer.Luau.Interop.LuauExportAttribute";

    private static readonly DiagnosticDescriptor s_notPartial = new(
        "LUAU001", "Exported class must be partial", "Class '{0}' has [LuauExport] but is not partial", "Coputer.Luau.Interop",
        DiagnosticSeverity.Error, true);

    private static readonly DiagnosticDescriptor s_unsupportedType = new(
        "LUAU002", "Exported class shape not supported", "Class '{0}' cannot be exported: {1}", "Coputer.Luau.Interop",
        DiagnosticSeverity.Error, true);

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var classes = context.SyntaxProvider.ForAttributeWithMetadataName(
            ExportAttribute,
            static (node, _) => node is ClassDeclarationSyntax,
            static (ctx, _) => Generate((INamedTypeSymbol)ctx.TargetSymbol, (ClassDeclarationSyntax)ctx.TargetNode));
        context.RegisterSourceOutput(classes, static (spc, result) =>
        {
            foreach (var d in result.Diagnostics)
                spc.ReportDiagnostic(d);
            if (result.Source is not null)
                spc.AddSource(result.HintName, result.Source);
        });
    }

    private sealed class Result(string hintName, string? source, ImmutableArray<Diagnostic> diagnostics) : IEquatable<Result>
    {
        public string HintName { get; } = hintName;
        public string? Source { get; } = source;
        public ImmutableArray<Diagnostic> Diagnostics { get; } = diagnostics;

        public bool Equals(Result? other) => other is not null && HintName == other.HintName && Source == other.Source &&
            Diagnostics.Select(d => d.ToString()).SequenceEqual(other.Diagnostics.Select(d => d.ToString()));

        public override bool Equals(object? obj) => Equals(obj as Result);

        public override int GetHashCode() => (Source ?? HintName).GetHashCode();
    }

    private static Result Generate(INamedTypeSymbol type, ClassDeclarationSyntax syntax)
    {
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        string hint = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "").Replace('<', '_').Replace('>', '_') + ".Luau.g.cs";
        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(Diagnostic.Create(s_notPartial, syntax.Identifier.GetLocation(), type.Name));
            return new Result(hint, null, diagnostics.ToImmutable());
        }
        if (type.ContainingType is not null || type.IsGenericType || type.IsStatic)
        {
            diagnostics.Add(Diagnostic.Create(s_unsupportedType, syntax.Identifier.GetLocation(), type.Name,
                "only top-level, non-generic, non-static classes can be exported"));
            return new Result(hint, null, diagnostics.ToImmutable());
        }
        var writer = new BindingWriter(type, diagnostics, syntax.Identifier.GetLocation());
        return new Result(hint, writer.Write(), diagnostics.ToImmutable());
    }

    internal static string? ExportName(ITypeSymbol type)
    {
        foreach (var a in type.GetAttributes())
        {
            if (a.AttributeClass?.ToDisplayString() == ExportAttribute)
                return a.ConstructorArguments.Length == 1 && a.ConstructorArguments[0].Value is string s ? s : type.Name;
        }
        return type.AllInterfaces.Any(i => i.ToDisplayString() == "Coputer.Luau.Interop.ILuauExported") ? type.Name : null;
    }
}

/// <summary>How one .NET type converts to and from Luau values, as C# expressions.</summary>
internal sealed class Conv
{
    /// <summary>The Luau type name in "expected" messages.</summary>
    public string Expected = "";

    /// <summary>Luau value (a variable name) to .NET; throws LuauConversionException.</summary>
    public Func<string, string> From = _ => "";

    /// <summary>.NET value (a variable or a pure expression) and the state expression to a LuauValue expression.</summary>
    public Func<string, string, string> To = (_, _) => "";

    /// <summary>Whether a Luau value (a variable) fits, for overload resolution.</summary>
    public Func<string, string> Matches = _ => "true";

    /// <summary>A faster argument read, (context, arg) to expression, when there is one.</summary>
    public Func<string, int, string>? Arg;

    /// <summary>Nil converts (to null): the parameter may be left out.</summary>
    public bool NilOk;

    /// <summary>Only usable as a direct parameter or result (a span): not in lambdas, lists or async methods.</summary>
    public bool RefLike;

    /// <summary>An integer type: preferred over floating point in overloads.</summary>
    public bool Integral;
}

internal sealed class BindingWriter(INamedTypeSymbol type, ImmutableArray<Diagnostic>.Builder diagnostics, Location location)
{
    private const string VM = "global::Coputer.Luau.VM";
    private const string Interop = "global::Coputer.Luau.Interop";
    private const string Convert = "global::Coputer.Luau.Interop.LuauConvert";

    private readonly string _typeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
    private readonly Dictionary<string, INamedTypeSymbol> _enums = [];
    private int _lambda;

    private static string Lit(string s) => SymbolDisplay.FormatLiteral(s, true);

    private static readonly SymbolDisplayFormat s_format =
        SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static string Display(ITypeSymbol t) => t.ToDisplayString(s_format);

    // ---- conversions ----

    private Conv? Classify(ITypeSymbol t)
    {
        if (t is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            var inner = Classify(nullable.TypeArguments[0]);
            if (inner is null || inner.RefLike)
                return null;
            string tn = Display(t);
            return new Conv
            {
                Expected = inner.Expected,
                From = v => $"({v}.IsNil ? ({tn})null : {inner.From(v)})",
                To = (x, s) => $"({x}.HasValue ? {inner.To(x + ".GetValueOrDefault()", s)} : {VM}.LuauValue.Nil)",
                Matches = v => $"({v}.IsNil || {inner.Matches(v)})",
                NilOk = true,
                Integral = inner.Integral,
            };
        }
        if (t.IsReferenceType && t.NullableAnnotation == NullableAnnotation.Annotated)
        {
            var inner = Classify(t.WithNullableAnnotation(NullableAnnotation.NotAnnotated));
            if (inner is null)
                return null;
            return new Conv
            {
                Expected = inner.Expected,
                From = v => $"({v}.IsNil ? null : {inner.From(v)})",
                To = inner.To,
                Matches = v => $"({v}.IsNil || {inner.Matches(v)})",
                NilOk = true,
            };
        }
        switch (t.SpecialType)
        {
            case SpecialType.System_Boolean:
                return new Conv
                {
                    Expected = "boolean",
                    From = v => $"{Convert}.ToBoolean({v})",
                    To = (x, _) => $"{VM}.LuauValue.FromBoolean({x})",
                    Matches = v => $"({v}.Type == {VM}.LuauType.Boolean)",
                    Arg = (c, n) => $"{Convert}.ArgBoolean({c}, {n})",
                };
            case SpecialType.System_String:
                return new Conv
                {
                    Expected = "string",
                    From = v => $"{Convert}.ToString({v})",
                    To = (x, _) => $"{Convert}.FromString({x})",
                    Matches = v => $"({v}.Type == {VM}.LuauType.String)",
                    Arg = (c, n) => $"{Convert}.ArgString({c}, {n})",
                };
            case SpecialType.System_Object:
                return new Conv
                {
                    Expected = "value",
                    From = v => $"{Convert}.ToObject({v})",
                    To = (x, s) => $"{Convert}.FromObject({s}, {x})",
                    NilOk = true,
                };
            case SpecialType.System_Double:
                return Number(t, "Double", fast: true);
            case SpecialType.System_Single:
                return Number(t, "Single");
            case SpecialType.System_Decimal:
                return Number(t, "Decimal");
            case SpecialType.System_Int32:
                return Number(t, "Int32", integral: true, fast: true);
            case SpecialType.System_Int64:
                return Number(t, "Int64", integral: true);
            case SpecialType.System_Int16:
                return Number(t, "Int16", integral: true);
            case SpecialType.System_SByte:
                return Number(t, "SByte", integral: true);
            case SpecialType.System_Byte:
                return Number(t, "Byte", integral: true);
            case SpecialType.System_UInt16:
                return Number(t, "UInt16", integral: true);
            case SpecialType.System_UInt32:
                return Number(t, "UInt32", integral: true);
            case SpecialType.System_UInt64:
                return Number(t, "UInt64", integral: true);
        }
        if (t.TypeKind == TypeKind.Enum && t is INamedTypeSymbol e)
        {
            string id = EnumId(e);
            _enums[id] = e;
            return new Conv
            {
                Expected = e.Name,
                From = v => $"__To{id}({v})",
                To = (x, _) => $"__From{id}({x})",
                Matches = v => $"({v}.Type == {VM}.LuauType.String || {v}.Type == {VM}.LuauType.Number)",
            };
        }
        if (t is IArrayTypeSymbol { Rank: 1 } array)
        {
            if (array.ElementType.SpecialType == SpecialType.System_Byte)
            {
                return new Conv
                {
                    Expected = "buffer",
                    From = v => $"{Convert}.ToBytes({v})",
                    To = (x, s) => $"{Convert}.FromBytes({s}, {x})",
                    Matches = v => $"({v}.Type == {VM}.LuauType.Buffer)",
                };
            }
            var element = Classify(array.ElementType);
            if (element is null || element.RefLike)
                return null;
            return Table($"{Convert}.ToArray", array.ElementType, element);
        }
        if (t is not INamedTypeSymbol named)
            return null;
        string def = named.OriginalDefinition.ToDisplayString();
        switch (def)
        {
            case "Coputer.Luau.VM.LuauValue":
                return new Conv { Expected = "value", From = v => v, To = (x, _) => x, NilOk = true };
            case "Coputer.Luau.VM.LuauTable":
                return Raw("table", "Table", "Table");
            case "Coputer.Luau.VM.LuauFunction":
                return Raw("function", "Function", "Function");
            case "Coputer.Luau.VM.LuauBuffer":
                return Raw("buffer", "Buffer", "Buffer");
            case "System.ReadOnlySpan<T>" when named.TypeArguments[0].SpecialType == SpecialType.System_Byte:
                return new Conv
                {
                    Expected = "buffer",
                    Arg = (c, n) => $"{Convert}.ArgSpan({c}, {n})",
                    To = (x, s) => $"{Convert}.FromBytes({s}, {x})",
                    Matches = v => $"({v}.Type == {VM}.LuauType.Buffer)",
                    RefLike = true,
                };
            case "System.Memory<T>" or "System.ReadOnlyMemory<T>" when named.TypeArguments[0].SpecialType == SpecialType.System_Byte:
                return new Conv
                {
                    Expected = "buffer",
                    From = v => $"{Convert}.ToMemory({v})",
                    To = (x, s) => $"{Convert}.FromBytes({s}, {x}.Span)",
                    Matches = v => $"({v}.Type == {VM}.LuauType.Buffer)",
                };
            case "System.Collections.Generic.List<T>" or "System.Collections.Generic.IList<T>" or "System.Collections.Generic.ICollection<T>"
                or "System.Collections.Generic.IEnumerable<T>" or "System.Collections.Generic.IReadOnlyList<T>"
                or "System.Collections.Generic.IReadOnlyCollection<T>":
                {
                    var element = Classify(named.TypeArguments[0]);
                    if (element is null || element.RefLike)
                        return null;
                    return Table($"{Convert}.ToList", named.TypeArguments[0], element);
                }
            case "System.Collections.Generic.Dictionary<TKey, TValue>" or "System.Collections.Generic.IDictionary<TKey, TValue>"
                or "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>":
                {
                    var key = Classify(named.TypeArguments[0]);
                    var value = Classify(named.TypeArguments[1]);
                    if (key is null || value is null || key.RefLike || value.RefLike)
                        return null;
                    string kp = $"__k{_lambda}", vp = $"__v{_lambda}", sp = $"__s{_lambda}";
                    _lambda++;
                    return new Conv
                    {
                        Expected = "table",
                        From = v => $"{Convert}.ToDictionary({v}, static {kp} => {key.From(kp)}, static {vp} => {value.From(vp)})",
                        To = (x, s) => $"{Convert}.FromDictionary({s}, {x}, static ({sp}, {kp}) => {key.To(kp, sp)}, static ({sp}, {vp}) => {value.To(vp, sp)})",
                        Matches = v => $"({v}.Type == {VM}.LuauType.Table)",
                    };
                }
        }
        if (t.TypeKind == TypeKind.Class && LuauExportGenerator.ExportName(t) is { } luauName)
        {
            string tn = Display(t);
            return new Conv
            {
                Expected = luauName,
                From = v => $"{Convert}.ToObject<{tn}>({v}, {Lit(luauName)})",
                To = (x, s) => $"{Interop}.LuauInterop.ToValue({s}, {x})",
                Matches = v => $"{Convert}.IsObject<{tn}>({v})",
            };
        }
        return null;
    }

    private static Conv Number(ITypeSymbol t, string name, bool integral = false, bool fast = false)
    {
        string cast = t.SpecialType == SpecialType.System_Double ? "" : "(double)";
        return new Conv
        {
            Expected = "number",
            From = v => $"{Convert}.To{name}({v})",
            To = (x, _) => $"new {VM}.LuauValue({cast}{x})",
            Matches = integral
                ? v => $"{Convert}.IsIntegral({v})"
                : v => $"({v}.Type == {VM}.LuauType.Number || {v}.Type == {VM}.LuauType.Integer)",
            Arg = fast ? (c, n) => $"{Convert}.Arg{name}({c}, {n})" : null,
            Integral = integral,
        };
    }

    private static Conv Raw(string expected, string method, string luauType) => new()
    {
        Expected = expected,
        From = v => $"{Convert}.To{method}({v})",
        To = (x, _) => $"({x} is null ? {VM}.LuauValue.Nil : new {VM}.LuauValue({x}))",
        Matches = v => $"({v}.Type == {VM}.LuauType.{luauType})",
    };

    private Conv Table(string reader, ITypeSymbol elementType, Conv element)
    {
        string ep = $"__e{_lambda}", sp = $"__s{_lambda}";
        _lambda++;
        return new Conv
        {
            Expected = "table",
            From = v => $"{reader}({v}, static {ep} => {element.From(ep)})",
            To = (x, s) => $"{Convert}.FromList<{Display(elementType)}>({s}, {x}, static ({sp}, {ep}) => {element.To(ep, sp)})",
            Matches = v => $"({v}.Type == {VM}.LuauType.Table)",
        };
    }

    private static string EnumId(INamedTypeSymbol e) =>
        "Enum_" + new string(e.ToDisplayString().Select(ch => char.IsLetterOrDigit(ch) ? ch : '_').ToArray());

    // ---- members ----

    private sealed class Param(IParameterSymbol symbol, Conv? conv, bool isToken)
    {
        public IParameterSymbol Symbol { get; } = symbol;
        public Conv? Conv { get; } = conv;
        public bool IsToken { get; } = isToken;

        /// <summary>An <c>out</c> parameter: not a Luau argument, an extra result.</summary>
        public bool IsOut => Symbol.RefKind == RefKind.Out;

        /// <summary>A <c>ref</c> or <c>out</c> parameter: its value after the call is an extra result.</summary>
        public bool IsResult => Symbol.RefKind is RefKind.Ref or RefKind.Out;
    }

    private sealed class Overload(IMethodSymbol method, List<Param> parameters, List<Conv> results, bool tuple, string asyncKind)
    {
        public IMethodSymbol Method { get; } = method;
        public List<Param> Parameters { get; } = parameters;

        /// <summary>The conversions of the method's result: none (void), one, or one per element of a tuple.</summary>
        public List<Conv> Results { get; } = results;

        /// <summary>The result is a ValueTuple whose elements are returned as separate Luau values.</summary>
        public bool Tuple { get; } = tuple;

        /// <summary>"" (synchronous), "Task", "ValueTask", "Task1", "ValueTask1".</summary>
        public string AsyncKind { get; } = asyncKind;

        public List<Param> LuauParameters => Parameters.Where(p => !p.IsToken && !p.IsOut).ToList();

        public int Required => LuauParameters.Count(p => !p.Symbol.IsParams && !p.Symbol.HasExplicitDefaultValue && !p.Conv!.NilOk);

        public bool HasParams => Parameters.Any(p => p.Symbol.IsParams);
    }

    private sealed class Member(string name, string kind)
    {
        public string Name { get; } = name;
        public string Kind { get; } = kind;
        public List<Overload> Overloads { get; } = [];
        public IPropertySymbol? Property { get; set; }
        public Conv? PropertyConv { get; set; }
        public bool CanRead { get; set; }
        public bool CanWrite { get; set; }
        public IEventSymbol? Event { get; set; }
        public List<Conv> EventArgs { get; } = [];
    }

    private void Skip(ISymbol member, string why) =>
        diagnostics.Add(Diagnostic.Create(s_skipped, member.Locations.FirstOrDefault() ?? location, member.Name, type.Name, why));

    private static readonly DiagnosticDescriptor s_skipped = new(
        "LUAU003", "Member not exported", "Member '{0}' of '{1}' is not exported to Luau: {2} (mark it [LuauHidden] to silence this)",
        "Coputer.Luau.Interop", DiagnosticSeverity.Warning, true);

    private static string LuauName(ISymbol s)
    {
        foreach (var a in s.GetAttributes())
        {
            if (a.AttributeClass?.ToDisplayString() == "Coputer.Luau.Interop.LuauNameAttribute" && a.ConstructorArguments.Length == 1 &&
                a.ConstructorArguments[0].Value is string name)
                return name;
        }
        return s.Name;
    }

    private static bool Hidden(ISymbol s) =>
        s.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Coputer.Luau.Interop.LuauHiddenAttribute");

    /// <summary>The instance members, or (<paramref name="statics"/>) the static ones and the constructors as <c>new</c>.</summary>
    private List<Member> CollectMembers(bool statics)
    {
        var members = new List<Member>();
        var byName = new Dictionary<string, Member>();
        var seenSignatures = new HashSet<string>();
        for (var t = type; t is not null && t.SpecialType != SpecialType.System_Object; t = statics ? null : t.BaseType)
        {
            foreach (var s in t.GetMembers())
            {
                bool constructor = s is IMethodSymbol { MethodKind: MethodKind.Constructor };
                // Constructors belong to the static side, as Point.new.
                if ((s.IsStatic || constructor) != statics || (constructor && type.IsAbstract) || s.DeclaredAccessibility != Accessibility.Public ||
                    (s.IsImplicitlyDeclared && !constructor) || Hidden(s))
                    continue;
                string name = constructor ? "new" : LuauName(s);
                switch (s)
                {
                    case IMethodSymbol m when m.MethodKind == MethodKind.Ordinary || constructor:
                        {
                            if (m.IsOverride && m.Name is "ToString" or "Equals" or "GetHashCode")
                                continue;
                            string sig = name + "(" + string.Join(",", m.Parameters.Select(p => Display(p.Type))) + ")";
                            if (!seenSignatures.Add(sig))
                                continue;
                            var overload = MakeOverload(m);
                            if (overload is null)
                                continue;
                            if (!byName.TryGetValue(name, out var member))
                            {
                                member = new Member(name, "Method");
                                byName[name] = member;
                                members.Add(member);
                            }
                            else if (member.Kind != "Method")
                            {
                                Skip(m, $"the name '{name}' is already used by a {member.Kind.ToLowerInvariant()}");
                                continue;
                            }
                            member.Overloads.Add(overload);
                            break;
                        }
                    case IPropertySymbol p when !p.IsIndexer:
                        {
                            if (byName.ContainsKey(name))
                                continue;
                            var conv = Classify(p.Type);
                            if (conv is null || conv.RefLike)
                            {
                                Skip(p, $"its type {p.Type.ToDisplayString()} has no Luau conversion");
                                continue;
                            }
                            var member = new Member(name, "Property")
                            {
                                Property = p,
                                PropertyConv = conv,
                                CanRead = p.GetMethod is { DeclaredAccessibility: Accessibility.Public },
                                CanWrite = p.SetMethod is { DeclaredAccessibility: Accessibility.Public, IsInitOnly: false },
                            };
                            byName[name] = member;
                            members.Add(member);
                            break;
                        }
                    case IEventSymbol e:
                        {
                            if (byName.ContainsKey(name))
                                continue;
                            var invoke = (e.Type as INamedTypeSymbol)?.DelegateInvokeMethod;
                            if (invoke is null || !invoke.ReturnsVoid)
                            {
                                Skip(e, "its handler type must be a delegate returning void");
                                continue;
                            }
                            var member = new Member(name, "Event") { Event = e };
                            bool ok = true;
                            foreach (var p in invoke.Parameters)
                            {
                                var conv = Classify(p.Type);
                                if (conv is null || conv.RefLike || p.RefKind != RefKind.None)
                                {
                                    Skip(e, $"its handler's parameter type {p.Type.ToDisplayString()} has no Luau conversion");
                                    ok = false;
                                    break;
                                }
                                member.EventArgs.Add(conv);
                            }
                            if (!ok)
                                continue;
                            byName[name] = member;
                            members.Add(member);
                            break;
                        }
                }
            }
        }
        return members;
    }

    private Overload? MakeOverload(IMethodSymbol m)
    {
        if (m.IsGenericMethod)
        {
            Skip(m, "a generic method cannot be called from Luau, which has no type arguments to close it with; export a non-generic method that calls it");
            return null;
        }
        string asyncKind = "";
        ITypeSymbol? resultType = m.MethodKind == MethodKind.Constructor ? type : m.ReturnsVoid ? null : m.ReturnType;
        if (m.MethodKind != MethodKind.Constructor && m.ReturnType is INamedTypeSymbol rt)
        {
            switch (rt.OriginalDefinition.ToDisplayString())
            {
                case "System.Threading.Tasks.Task":
                    (asyncKind, resultType) = ("Task", null);
                    break;
                case "System.Threading.Tasks.ValueTask":
                    (asyncKind, resultType) = ("ValueTask", null);
                    break;
                case "System.Threading.Tasks.Task<TResult>":
                    (asyncKind, resultType) = ("Task1", rt.TypeArguments[0]);
                    break;
                case "System.Threading.Tasks.ValueTask<TResult>":
                    (asyncKind, resultType) = ("ValueTask1", rt.TypeArguments[0]);
                    break;
            }
        }
        var results = new List<Conv>();
        bool tuple = false;
        if (resultType is INamedTypeSymbol { IsTupleType: true } tt)
        {
            // A ValueTuple result: each element is one Luau result, in order.
            tuple = true;
            foreach (var element in tt.TupleElements)
            {
                var conv = Classify(element.Type);
                if (conv is null || conv.RefLike)
                {
                    Skip(m, $"its result tuple's element type {element.Type.ToDisplayString()} has no Luau conversion");
                    return null;
                }
                results.Add(conv);
            }
        }
        else if (resultType is not null)
        {
            var result = Classify(resultType);
            if (result is null || (result.RefLike && asyncKind != ""))
            {
                Skip(m, $"its result type {resultType.ToDisplayString()} has no Luau conversion");
                return null;
            }
            results.Add(result);
        }
        var parameters = new List<Param>();
        foreach (var p in m.Parameters)
        {
            if (p.Type.ToDisplayString() == "System.Threading.CancellationToken")
            {
                parameters.Add(new Param(p, null, true));
                continue;
            }
            if ((p.RefKind is RefKind.Ref or RefKind.Out) && (asyncKind != "" || p.IsParams))
            {
                Skip(m, $"parameter '{p.Name}' is passed by reference");
                return null;
            }
            Conv? conv;
            if (p.IsParams && p.Type is IArrayTypeSymbol pa)
            {
                conv = Classify(pa.ElementType);
                if (conv is not null && conv.RefLike)
                    conv = null;
            }
            else
            {
                conv = Classify(p.Type);
            }
            if (conv is null || (conv.RefLike && (asyncKind != "" || p.RefKind != RefKind.None)))
            {
                Skip(m, $"parameter '{p.Name}' of type {p.Type.ToDisplayString()} has no Luau conversion");
                return null;
            }
            parameters.Add(new Param(p, conv, false));
        }
        return new Overload(m, parameters, results, tuple, asyncKind);
    }

    // ---- writing ----

    public string Write()
    {
        var instance = CollectMembers(statics: false);
        var statics = CollectMembers(statics: true);
        var sb = new StringBuilder();
        sb.AppendLine("// <auto-generated/> by Coputer.Luau.Generators: the Luau binding of this [LuauExport] class.");
        sb.AppendLine("#nullable enable");
        sb.AppendLine("#pragma warning disable CS0618, CS1591");
        if (!type.ContainingNamespace.IsGlobalNamespace)
            sb.AppendLine($"namespace {type.ContainingNamespace.ToDisplayString()};");
        sb.AppendLine();
        sb.AppendLine($"partial class {type.Name} : {Interop}.ILuauExported, {Interop}.ILuauExportedType");
        sb.AppendLine("{");
        sb.AppendLine($"    {Interop}.LuauTypeBinding {Interop}.ILuauExported.LuauBinding => __LuauBinding.Instance;");
        sb.AppendLine();
        sb.AppendLine($"    static {Interop}.LuauTypeBinding {Interop}.ILuauExportedType.LuauStaticBinding => __LuauStatics.Instance;");
        WriteBinding(sb, "__LuauBinding", instance, isStatic: false);
        WriteBinding(sb, "__LuauStatics", statics, isStatic: true);
        sb.AppendLine("}");
        return sb.ToString();
    }

    /// <summary>The receiver of member calls in the binding being written: the object, or the type for statics.</summary>
    private string _receiver = "__self";

    private void WriteBinding(StringBuilder sb, string className, List<Member> members, bool isStatic)
    {
        _receiver = isStatic ? _typeName : "__self";
        string selfLine = isStatic ? "" : $"            var __self = ({_typeName})self;";
        string luauName = LuauExportGenerator.ExportName(type) ?? type.Name;
        sb.AppendLine();
        sb.AppendLine($"    private sealed class {className} : {Interop}.LuauTypeBinding");
        sb.AppendLine("    {");
        sb.AppendLine($"        internal static readonly {className} Instance = new();");
        sb.AppendLine();
        sb.AppendLine($"        private {className}() : base({Lit(luauName)}, new {Interop}.LuauMember[]");
        sb.AppendLine("        {");
        foreach (var m in members)
        {
            string kind = $"{Interop}.LuauMemberKind.{m.Kind}";
            bool isAsync = m.Overloads.Any(o => o.AsyncKind != "");
            sb.AppendLine($"            new({Lit(m.Name)}, {kind}, {(m.Kind == "Property" ? Bool(m.CanRead) : "true")}, {Bool(m.CanWrite)}, {Bool(isAsync)}),");
        }
        sb.AppendLine($"        }}, isStatic: {Bool(isStatic)})");
        sb.AppendLine("        {");
        sb.AppendLine("        }");

        // Invoke
        sb.AppendLine();
        sb.AppendLine($"        public override int Invoke(int member, object self, {VM}.LuauCallContext c)");
        sb.AppendLine("        {");
        if (!isStatic)
            sb.AppendLine(selfLine);
        sb.AppendLine("            switch (member)");
        sb.AppendLine("            {");
        for (int i = 0; i < members.Count; i++)
        {
            if (members[i].Kind == "Method")
                sb.AppendLine($"                case {i}: return __Call{i}({(isStatic ? "null!" : "__self")}, c);");
        }
        sb.AppendLine("                default: throw new global::System.InvalidOperationException(\"not a method\");");
        sb.AppendLine("            }");
        sb.AppendLine("        }");

        for (int i = 0; i < members.Count; i++)
        {
            if (members[i].Kind == "Method")
                WriteMethod(sb, i, members[i]);
        }

        // Get
        sb.AppendLine();
        sb.AppendLine($"        public override {VM}.LuauValue Get(int member, object self, {VM}.LuauState state)");
        sb.AppendLine("        {");
        if (!isStatic)
            sb.AppendLine(selfLine);
        sb.AppendLine("            switch (member)");
        sb.AppendLine("            {");
        for (int i = 0; i < members.Count; i++)
        {
            var m = members[i];
            if (m.Kind == "Property" && m.CanRead)
            {
                sb.AppendLine($"                case {i}:");
                sb.AppendLine("                {");
                sb.AppendLine($"                    var __r = {_receiver}.{m.Property!.Name};");
                sb.AppendLine($"                    return {m.PropertyConv!.To("__r", "state")};");
                sb.AppendLine("                }");
            }
            else if (m.Kind == "Event")
            {
                var e = m.Event!;
                var ps = ((INamedTypeSymbol)e.Type).DelegateInvokeMethod!.Parameters;
                string lambdaParams = string.Join(", ", ps.Select((_, k) => $"__a{k}"));
                string args = string.Join("", ps.Select((_, k) => ", " + m.EventArgs[k].To($"__a{k}", "__s")));
                sb.AppendLine($"                case {i}:");
                sb.AppendLine($"                    return {Interop}.LuauInterop.Event(state, {Lit(m.Name)}, (__s, __fn) =>");
                sb.AppendLine("                    {");
                // The scheduler is read here, on the engine's side; the handler may run on any thread.
                sb.AppendLine("                        var __t = __s.Tasks;");
                sb.AppendLine($"                        {Display(e.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated))} __h = ({lambdaParams}) => __t.RunOrPost(() => {Interop}.LuauInterop.Fire(__s, __fn{args}));");
                sb.AppendLine($"                        {_receiver}.{e.Name} += __h;");
                sb.AppendLine($"                        return () => {_receiver}.{e.Name} -= __h;");
                sb.AppendLine("                    });");
            }
        }
        sb.AppendLine("                default: throw new global::System.InvalidOperationException(\"not readable\");");
        sb.AppendLine("            }");
        sb.AppendLine("        }");

        // Set
        sb.AppendLine();
        sb.AppendLine($"        public override void Set(int member, object self, {VM}.LuauValue value, {VM}.LuauState state)");
        sb.AppendLine("        {");
        if (!isStatic)
            sb.AppendLine(selfLine);
        sb.AppendLine("            switch (member)");
        sb.AppendLine("            {");
        for (int i = 0; i < members.Count; i++)
        {
            var m = members[i];
            if (m.Kind == "Property" && m.CanWrite)
                sb.AppendLine($"                case {i}: {_receiver}.{m.Property!.Name} = {m.PropertyConv!.From("value")}; return;");
        }
        sb.AppendLine("                default: throw new global::System.InvalidOperationException(\"not writable\");");
        sb.AppendLine("            }");
        sb.AppendLine("        }");

        if (!isStatic && OverridesToString())
        {
            sb.AppendLine();
            sb.AppendLine($"        public override string Describe(object self) => (({_typeName})self).ToString() ?? TypeName;");
        }

        foreach (var pair in _enums.OrderBy(p => p.Key, StringComparer.Ordinal))
            WriteEnum(sb, pair.Key, pair.Value);

        sb.AppendLine("    }");
    }

    private static string Bool(bool b) => b ? "true" : "false";

    private bool OverridesToString()
    {
        for (var t = type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
        {
            if (t.GetMembers("ToString").OfType<IMethodSymbol>().Any(m => m.IsOverride && m.Parameters.Length == 0))
                return true;
        }
        return false;
    }

    private void WriteMethod(StringBuilder sb, int index, Member m)
    {
        sb.AppendLine();
        sb.AppendLine($"        private static int __Call{index}({_typeName} __self, {VM}.LuauCallContext c)");
        sb.AppendLine("        {");
        if (m.Overloads.Count == 1)
        {
            WriteCall(sb, m.Overloads[0], "            ");
        }
        else
        {
            // Fewest parameters first; among equals, integer parameters before floating point ones.
            var ordered = m.Overloads
                .OrderBy(o => o.LuauParameters.Count)
                .ThenByDescending(o => o.LuauParameters.Count(p => p.Conv!.Integral))
                .ToList();
            sb.AppendLine("            int __n = c.ArgumentCount - 1;");
            foreach (var o in ordered)
            {
                var lp = o.LuauParameters;
                var conds = new List<string> { $"__n >= {o.Required}" };
                if (!o.HasParams)
                    conds.Add($"__n <= {lp.Count}");
                for (int k = 0; k < lp.Count; k++)
                {
                    var p = lp[k];
                    if (p.Symbol.IsParams)
                        continue;
                    string v = $"c[{k + 2}]";
                    string match = p.Conv!.Matches(v);
                    if (match == "true")
                        continue;
                    bool optional = p.Symbol.HasExplicitDefaultValue || p.Conv.NilOk;
                    conds.Add(optional ? $"({Convert}.IsAbsent(c, {k + 1}) || {match})" : match);
                }
                sb.AppendLine($"            if ({string.Join(" && ", conds)})");
                sb.AppendLine("            {");
                WriteCall(sb, o, "                ");
                sb.AppendLine("            }");
            }
            sb.AppendLine($"            throw {Convert}.NoOverload(c);");
        }
        sb.AppendLine("        }");
    }

    private void WriteCall(StringBuilder sb, Overload o, string indent)
    {
        var args = new List<string>();
        int arg = 0;
        foreach (var p in o.Parameters)
        {
            if (p.IsToken)
            {
                args.Add(o.AsyncKind == "" ? "default" : "__ct");
                continue;
            }
            var conv = p.Conv!;
            if (p.IsOut)
            {
                // Not a Luau argument: its value after the call is an extra result.
                args.Add($"out {Display(p.Symbol.Type)} __o{args.Count}");
                continue;
            }
            arg++;
            string local = $"__a{arg}";
            string expr;
            if (p.Symbol.IsParams)
            {
                expr = $"{Convert}.Params(c, {arg}, static __p => {conv.From("__p")})";
            }
            else
            {
                string read = conv.Arg is not null ? conv.Arg("c", arg) : $"{Convert}.Arg(c, {arg}, static __p => {conv.From("__p")}, {Lit(conv.Expected)})";
                if (p.Symbol.HasExplicitDefaultValue)
                    expr = $"{Convert}.IsAbsent(c, {arg}) ? {DefaultValue(p.Symbol)} : {read}";
                else if (conv.NilOk)
                    expr = $"{Convert}.IsAbsent(c, {arg}) ? default({Display(p.Symbol.Type)}) : {read}";
                else
                    expr = read;
            }
            sb.AppendLine($"{indent}{Display(p.Symbol.Type)} {local} = {expr};");
            args.Add(p.Symbol.RefKind == RefKind.Ref ? "ref " + local : local);
        }
        string call = o.Method.MethodKind == MethodKind.Constructor
            ? $"new {_typeName}({string.Join(", ", args)})"
            : $"{_receiver}.{o.Method.Name}({string.Join(", ", args)})";
        switch (o.AsyncKind)
        {
            case "":
                if (o.Results.Count == 0)
                    sb.AppendLine($"{indent}{call};");
                else
                    sb.AppendLine($"{indent}var __r = {call};");
                sb.AppendLine($"{indent}return {ReturnOf(o, "c", args)};");
                break;
            case "Task":
                sb.AppendLine($"{indent}return {Interop}.LuauInterop.Await(c, __ct => new global::System.Threading.Tasks.ValueTask({call}));");
                break;
            case "ValueTask":
                sb.AppendLine($"{indent}return {Interop}.LuauInterop.Await(c, __ct => {call});");
                break;
            default:
                {
                    var rt = ((INamedTypeSymbol)o.Method.ReturnType).TypeArguments[0];
                    string tn = Display(rt);
                    string work = o.AsyncKind == "Task1" ? $"new global::System.Threading.Tasks.ValueTask<{tn}>({call})" : call;
                    sb.AppendLine($"{indent}return {Interop}.LuauInterop.Await<{tn}>(c, __ct => {work}, static (__c, __r) => {ReturnOf(o, "__c", [])});");
                    break;
                }
        }
    }

    /// <summary>
    /// The return statement's expression: the result (or each element of a tuple result), then each <c>ref</c> and
    /// <c>out</c> parameter's value after the call, in order; <paramref name="args"/> are the call's argument expressions.
    /// </summary>
    private static string ReturnOf(Overload o, string c, List<string> args)
    {
        var values = new List<string>();
        if (o.Tuple)
        {
            for (int k = 0; k < o.Results.Count; k++)
                values.Add(o.Results[k].To($"__r.Item{k + 1}", $"{c}.State"));
        }
        else if (o.Results.Count == 1)
        {
            values.Add(o.Results[0].To("__r", $"{c}.State"));
        }
        for (int k = 0; k < o.Parameters.Count && k < args.Count; k++)
        {
            var p = o.Parameters[k];
            if (!p.IsResult)
                continue;
            // "out T __oN" or "ref __aN": the variable is the last word.
            string local = args[k].Substring(args[k].LastIndexOf(' ') + 1);
            values.Add(p.Conv!.To(local, $"{c}.State"));
        }
        return values.Count switch
        {
            0 => "0",
            <= 3 => $"{c}.Return({string.Join(", ", values)})",
            _ => $"{c}.Return(new {VM}.LuauValue[] {{ {string.Join(", ", values)} }})",
        };
    }

    private static string DefaultValue(IParameterSymbol p)
    {
        string tn = Display(p.Type);
        object? v = p.ExplicitDefaultValue;
        if (v is null)
            return $"default({tn})";
        if (p.Type.TypeKind == TypeKind.Enum)
            return $"({tn})({System.Convert.ToString(v, CultureInfo.InvariantCulture)})";
        return v switch
        {
            string s => Lit(s),
            bool b => b ? "true" : "false",
            char ch => SymbolDisplay.FormatLiteral(ch, true),
            double d when double.IsNaN(d) => "double.NaN",
            double d when double.IsPositiveInfinity(d) => "double.PositiveInfinity",
            double d when double.IsNegativeInfinity(d) => "double.NegativeInfinity",
            double d => $"({tn})({d.ToString("R", CultureInfo.InvariantCulture)}d)",
            float f => $"({tn})({f.ToString("R", CultureInfo.InvariantCulture)}f)",
            decimal m => $"({tn})({m.ToString(CultureInfo.InvariantCulture)}m)",
            ulong u => $"({tn})({u.ToString(CultureInfo.InvariantCulture)}UL)",
            _ => $"({tn})({System.Convert.ToString(v, CultureInfo.InvariantCulture)})",
        };
    }

    private static void WriteEnum(StringBuilder sb, string id, INamedTypeSymbol e)
    {
        string tn = Display(e);
        var fields = e.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue).ToList();
        sb.AppendLine();
        sb.AppendLine($"        // {e.Name}: from its member name (or number), to its member name (or number for a value without one).");
        sb.AppendLine($"        private static {tn} __To{id}({VM}.LuauValue v)");
        sb.AppendLine("        {");
        sb.AppendLine($"            if (v.Type == {VM}.LuauType.String)");
        sb.AppendLine("            {");
        sb.AppendLine("                switch (v.ToString())");
        sb.AppendLine("                {");
        foreach (var f in fields)
            sb.AppendLine($"                    case {Lit(f.Name)}: return {tn}.{f.Name};");
        sb.AppendLine("                }");
        sb.AppendLine($"                throw {Convert}.BadEnumName({Lit(e.Name)}, v);");
        sb.AppendLine("            }");
        sb.AppendLine($"            long n = {Convert}.ToInt64(v);");
        sb.AppendLine("            switch (n)");
        sb.AppendLine("            {");
        foreach (var value in fields.Select(f => System.Convert.ToString(f.ConstantValue, CultureInfo.InvariantCulture)).Distinct())
            sb.AppendLine($"                case {value}: return ({tn})n;");
        sb.AppendLine("            }");
        sb.AppendLine($"            throw {Convert}.BadEnumNumber({Lit(e.Name)}, n);");
        sb.AppendLine("        }");
        sb.AppendLine();
        sb.AppendLine($"        private static {VM}.LuauValue __From{id}({tn} v)");
        sb.AppendLine("        {");
        sb.AppendLine("            switch (v)");
        sb.AppendLine("            {");
        var seen = new HashSet<string>();
        foreach (var f in fields)
        {
            if (seen.Add(System.Convert.ToString(f.ConstantValue, CultureInfo.InvariantCulture)!))
                sb.AppendLine($"                case {tn}.{f.Name}: return {Lit(f.Name)};");
        }
        sb.AppendLine($"                default: return new {VM}.LuauValue((double)v);");
        sb.AppendLine("            }");
        sb.AppendLine("        }");
    }
}
