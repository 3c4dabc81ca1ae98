using System.Globalization;
using System.Text;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Tests.Syntax;

/// <summary>
/// A canonical text form of a syntax tree that leaves out source locations, so two trees can be compared by comparing
/// their dumps (and a failing comparison shows where they differ). Every other property of every node is included;
/// locals are shown with their ids, so that uses are checked against the declarations they resolve to.
/// </summary>
public static class AstDump
{
    public static string Of(AstNode node)
    {
        var dump = new Dumper();
        dump.Node(node, 0);
        return dump.ToString();
    }

    private sealed class Dumper
    {
        private readonly StringBuilder _sb = new();

        public override string ToString() => _sb.ToString();

        private void Line(int depth, string text)
        {
            _sb.Append(' ', depth * 2).Append(text).Append('\n');
        }

        private static string Bytes(byte[] value)
        {
            var sb = new StringBuilder("\"");
            foreach (byte b in value)
            {
                if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\')
                    sb.Append((char)b);
                else
                    sb.Append(CultureInfo.InvariantCulture, $"\\x{b:X2}");
            }
            return sb.Append('"').ToString();
        }

        private static string Number(double value) =>
            BitConverter.DoubleToInt64Bits(value).ToString("X16", CultureInfo.InvariantCulture) + " (" + value.ToString("R", CultureInfo.InvariantCulture) + ")";

        private static string Local(AstLocal local) =>
            $"{local.Name}#{local.Id} fd={local.FunctionDepth} ld={local.LoopDepth} const={local.IsConst} shadow={(local.Shadow is null ? "-" : "#" + local.Shadow.Id)}";

        private void Declare(AstLocal local, int depth)
        {
            Line(depth, "Local " + Local(local));
            if (local.Annotation is not null)
                Node(local.Annotation, depth + 1);
        }

        private void Nodes(IEnumerable<AstNode> nodes, int depth)
        {
            foreach (AstNode n in nodes)
                Node(n, depth);
        }

        private void TypeOrPack(AstTypeOrPack t, int depth)
        {
            if (t.Type is not null)
                Node(t.Type, depth);
            if (t.TypePack is not null)
                Node(t.TypePack, depth);
        }

        private void TypeList(AstTypeList list, int depth)
        {
            Line(depth, "TypeList");
            Nodes(list.Types, depth + 1);
            if (list.TailType is not null)
            {
                Line(depth + 1, "tail");
                Node(list.TailType, depth + 2);
            }
        }

        private void Optional(string label, AstNode? node, int depth)
        {
            if (node is null)
                return;
            Line(depth, label);
            Node(node, depth + 1);
        }

        public void Node(AstNode node, int d)
        {
            string semi = node is AstStat { HasSemicolon: true } ? " ;" : "";
            switch (node)
            {
                // Statements
                case BlockStat n:
                    Line(d, $"Block hasEnd={n.HasEnd}{semi}");
                    Nodes(n.Body, d + 1);
                    break;
                case IfStat n:
                    Line(d, $"If then={n.ThenLocation is not null} else={n.ElseLocation is not null}{semi}");
                    Node(n.Condition, d + 1);
                    Node(n.ThenBody, d + 1);
                    Optional("else", n.ElseBody, d + 1);
                    break;
                case WhileStat n:
                    Line(d, $"While hasDo={n.HasDo}{semi}");
                    Node(n.Condition, d + 1);
                    Node(n.Body, d + 1);
                    break;
                case RepeatStat n:
                    Line(d, $"Repeat{semi}");
                    Node(n.Body, d + 1);
                    Node(n.Condition, d + 1);
                    break;
                case BreakStat:
                    Line(d, "Break" + semi);
                    break;
                case ContinueStat:
                    Line(d, "Continue" + semi);
                    break;
                case ReturnStat n:
                    Line(d, "Return" + semi);
                    Nodes(n.List, d + 1);
                    break;
                case ExprStat n:
                    Line(d, "ExprStat" + semi);
                    Node(n.Expr, d + 1);
                    break;
                case LocalStat n:
                    Line(d, $"LocalStat equals={n.EqualsSignLocation is not null}{semi}");
                    foreach (AstLocal v in n.Vars)
                        Declare(v, d + 1);
                    Nodes(n.Values, d + 1);
                    break;
                case ForStat n:
                    Line(d, $"For hasDo={n.HasDo}{semi}");
                    Declare(n.Var, d + 1);
                    Node(n.From, d + 1);
                    Node(n.To, d + 1);
                    Optional("step", n.Step, d + 1);
                    Node(n.Body, d + 1);
                    break;
                case ForInStat n:
                    Line(d, $"ForIn hasIn={n.HasIn} hasDo={n.HasDo}{semi}");
                    foreach (AstLocal v in n.Vars)
                        Declare(v, d + 1);
                    Nodes(n.Values, d + 1);
                    Node(n.Body, d + 1);
                    break;
                case AssignStat n:
                    Line(d, "Assign" + semi);
                    Nodes(n.Vars, d + 1);
                    Line(d + 1, "=");
                    Nodes(n.Values, d + 1);
                    break;
                case CompoundAssignStat n:
                    Line(d, $"CompoundAssign {n.Op}{semi}");
                    Node(n.Var, d + 1);
                    Node(n.Value, d + 1);
                    break;
                case FunctionStat n:
                    Line(d, "FunctionStat" + semi);
                    Node(n.Name, d + 1);
                    Node(n.Function, d + 1);
                    break;
                case LocalFunctionStat n:
                    Line(d, "LocalFunction" + semi);
                    Declare(n.Name, d + 1);
                    Node(n.Function, d + 1);
                    break;
                case TypeAliasStat n:
                    Line(d, $"TypeAlias {n.Name} exported={n.Exported}{semi}");
                    Nodes(n.Generics, d + 1);
                    Nodes(n.GenericPacks, d + 1);
                    Node(n.Type, d + 1);
                    break;
                case TypeFunctionStat n:
                    Line(d, $"TypeFunction {n.Name} exported={n.Exported}{semi}");
                    Node(n.Body, d + 1);
                    break;
                case ErrorStat n:
                    Line(d, $"ErrorStat {n.MessageIndex}{semi}");
                    Nodes(n.Expressions, d + 1);
                    Nodes(n.Statements, d + 1);
                    break;

                // Expressions
                case GroupExpr n:
                    Line(d, "Group");
                    Node(n.Expr, d + 1);
                    break;
                case NilExpr:
                    Line(d, "Nil");
                    break;
                case BooleanExpr n:
                    Line(d, $"Boolean {n.Value}");
                    break;
                case NumberExpr n:
                    Line(d, "Number " + Number(n.Value));
                    break;
                case IntegerExpr n:
                    Line(d, $"Integer {n.Value}");
                    break;
                case StringExpr n:
                    Line(d, $"String {n.QuoteStyle} {Bytes(n.Value)}");
                    break;
                case LocalExpr n:
                    Line(d, $"LocalExpr {n.Local.Name}#{n.Local.Id} upvalue={n.IsUpvalue}");
                    break;
                case GlobalExpr n:
                    Line(d, "Global " + n.Name);
                    break;
                case VarargsExpr:
                    Line(d, "Varargs");
                    break;
                case CallExpr n:
                    Line(d, $"Call method={n.IsMethodCall}");
                    Node(n.Function, d + 1);
                    Nodes(n.Arguments, d + 1);
                    foreach (AstTypeOrPack t in n.TypeArguments)
                    {
                        Line(d + 1, "typeArg");
                        TypeOrPack(t, d + 2);
                    }
                    break;
                case IndexNameExpr n:
                    Line(d, $"IndexName {n.Op}{n.Index}");
                    Node(n.Expr, d + 1);
                    break;
                case IndexExpr n:
                    Line(d, "Index");
                    Node(n.Expr, d + 1);
                    Node(n.Index, d + 1);
                    break;
                case FunctionExpr n:
                    Line(d, $"Function name=\"{n.DebugName}\" depth={n.FunctionDepth} vararg={n.IsVararg} args={n.ArgumentLocation is not null}");
                    Nodes(n.Attributes, d + 1);
                    Nodes(n.Generics, d + 1);
                    Nodes(n.GenericPacks, d + 1);
                    if (n.Self is not null)
                        Declare(n.Self, d + 1);
                    foreach (AstLocal p in n.Parameters)
                        Declare(p, d + 1);
                    Optional("varargAnnotation", n.VarargAnnotation, d + 1);
                    Optional("returns", n.ReturnAnnotation, d + 1);
                    Node(n.Body, d + 1);
                    break;
                case TableExpr n:
                    Line(d, "Table");
                    foreach (TableItem item in n.Items)
                    {
                        Line(d + 1, item.Kind.ToString());
                        if (item.Key is not null)
                            Node(item.Key, d + 2);
                        Node(item.Value, d + 2);
                    }
                    break;
                case UnaryExpr n:
                    Line(d, $"Unary {n.Op}");
                    Node(n.Expr, d + 1);
                    break;
                case BinaryExpr n:
                    Line(d, $"Binary {n.Op}");
                    Node(n.Left, d + 1);
                    Node(n.Right, d + 1);
                    break;
                case TypeAssertionExpr n:
                    Line(d, "TypeAssertion");
                    Node(n.Expr, d + 1);
                    Node(n.Annotation, d + 1);
                    break;
                case IfElseExpr n:
                    Line(d, "IfElse");
                    Node(n.Condition, d + 1);
                    Node(n.TrueExpr, d + 1);
                    Node(n.FalseExpr, d + 1);
                    break;
                case InterpStringExpr n:
                    Line(d, "InterpString " + string.Join(" ", n.Strings.Select(Bytes)));
                    Nodes(n.Expressions, d + 1);
                    break;
                case InstantiateExpr n:
                    Line(d, "Instantiate");
                    Node(n.Expr, d + 1);
                    foreach (AstTypeOrPack t in n.TypeArguments)
                        TypeOrPack(t, d + 1);
                    break;
                case ErrorExpr n:
                    Line(d, $"ErrorExpr {n.MessageIndex}");
                    Nodes(n.Expressions, d + 1);
                    break;

                // Other nodes
                case AstAttribute n:
                    Line(d, $"Attribute {n.Kind} {n.Name}");
                    Nodes(n.Arguments, d + 1);
                    break;
                case AstGenericType n:
                    Line(d, "Generic " + n.Name);
                    Optional("default", n.DefaultValue, d + 1);
                    break;
                case AstGenericTypePack n:
                    Line(d, "GenericPack " + n.Name);
                    Optional("default", n.DefaultValue, d + 1);
                    break;

                // Types
                case ReferenceType n:
                    Line(d, $"Reference {n.Prefix}.{n.Name} params={n.HasParameterList}");
                    foreach (AstTypeOrPack t in n.Parameters)
                        TypeOrPack(t, d + 1);
                    break;
                case TableType n:
                    Line(d, $"TableType array={n.IsArray}");
                    foreach (AstTableProp p in n.Props)
                    {
                        Line(d + 1, $"Prop {Bytes(Encoding.Latin1.GetBytes(p.Name))} {p.Access} access={p.AccessLocation is not null}");
                        Node(p.Type, d + 2);
                    }
                    if (n.Indexer is not null)
                    {
                        Line(d + 1, $"Indexer {n.Indexer.Access} access={n.Indexer.AccessLocation is not null}");
                        Node(n.Indexer.IndexType, d + 2);
                        Node(n.Indexer.ResultType, d + 2);
                    }
                    break;
                case FunctionType n:
                    Line(d, "FunctionType names=" + string.Join(",", n.ArgNames.Select(a => a?.Name ?? "_")));
                    Nodes(n.Attributes, d + 1);
                    Nodes(n.Generics, d + 1);
                    Nodes(n.GenericPacks, d + 1);
                    TypeList(n.ArgTypes, d + 1);
                    Node(n.ReturnTypes, d + 1);
                    break;
                case TypeofType n:
                    Line(d, "Typeof");
                    Node(n.Expr, d + 1);
                    break;
                case OptionalType n:
                    Line(d, "Optional");
                    Node(n.Type, d + 1);
                    break;
                case UnionType n:
                    Line(d, "Union");
                    Nodes(n.Types, d + 1);
                    break;
                case IntersectionType n:
                    Line(d, "Intersection");
                    Nodes(n.Types, d + 1);
                    break;
                case SingletonBoolType n:
                    Line(d, $"SingletonBool {n.Value}");
                    break;
                case SingletonStringType n:
                    Line(d, "SingletonString " + Bytes(n.Value));
                    break;
                case GroupType n:
                    Line(d, "GroupType");
                    Node(n.Type, d + 1);
                    break;
                case ErrorType n:
                    Line(d, $"ErrorType {n.MessageIndex}");
                    Nodes(n.Types, d + 1);
                    break;
                case ExplicitTypePack n:
                    Line(d, "ExplicitPack");
                    TypeList(n.TypeList, d + 1);
                    break;
                case VariadicTypePack n:
                    Line(d, "VariadicPack");
                    Node(n.VariadicType, d + 1);
                    break;
                case GenericTypePack n:
                    Line(d, "GenericPack " + n.GenericName);
                    break;
                default:
                    throw new InvalidOperationException("AstDump does not know " + node.GetType().Name);
            }
        }
    }
}
