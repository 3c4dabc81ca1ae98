using System.Text;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Tests.Syntax;

/// <summary>Valid programs for each grammar rule, and the trees they parse to.</summary>
public class ParserTests
{
    private static BlockStat Parse(string source)
    {
        ParseResult result = Parser.Parse(source);
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        return result.Root;
    }

    private static T Single<T>(string source) where T : AstStat => Assert.IsType<T>(Assert.Single(Parse(source).Body));

    private static AstExpr Expr(string expression) => Assert.IsType<ReturnStat>(Assert.Single(Parse("return " + expression).Body)).List[0];

    private static AstType TypeOf(string type) => Assert.IsType<TypeAliasStat>(Assert.Single(Parse("type T = " + type).Body)).Type;

    private static Location At(int line, int column, int endLine, int endColumn) =>
        new(new Position(line, column), new Position(endLine, endColumn));

    // ----- Statements -----

    [Fact]
    public void LocalDeclaration()
    {
        var local = Single<LocalStat>("local a: number, b = 1, 2");
        Assert.Equal(["a", "b"], local.Vars.Select(v => v.Name));
        Assert.IsType<ReferenceType>(local.Vars[0].Annotation);
        Assert.Null(local.Vars[1].Annotation);
        Assert.Equal(2, local.Values.Length);
        Assert.Equal(At(0, 19, 0, 20), local.EqualsSignLocation);
        Assert.Equal(At(0, 0, 0, 25), local.Location);
    }

    [Fact]
    public void LocalWithoutValues()
    {
        var local = Single<LocalStat>("local a, b");
        Assert.Empty(local.Values);
        Assert.Null(local.EqualsSignLocation);
    }

    [Fact]
    public void ConstDeclarations()
    {
        BlockStat block = Parse("const a, b = f()\nconst function g() return a end\n@native const function h() end");
        var local = Assert.IsType<LocalStat>(block.Body[0]);
        Assert.All(local.Vars, v => Assert.True(v.IsConst));
        var function = Assert.IsType<LocalFunctionStat>(block.Body[1]);
        Assert.True(function.Name.IsConst);
        var attributed = Assert.IsType<LocalFunctionStat>(block.Body[2]);
        Assert.True(attributed.Name.IsConst);
        Assert.True(attributed.Function.HasAttribute(AttributeKind.Native));
    }

    [Fact]
    public void ConstIsStillAName()
    {
        // As an ordinary identifier, 'const' may be assigned and called.
        BlockStat block = Parse("const = 1\nconst(2)");
        Assert.IsType<AssignStat>(block.Body[0]);
        Assert.IsType<ExprStat>(block.Body[1]);
    }

    [Fact]
    public void Assignment()
    {
        var assign = Single<AssignStat>("a, b.c, d[1] = 1, 2, 3");
        Assert.IsType<GlobalExpr>(assign.Vars[0]);
        Assert.IsType<IndexNameExpr>(assign.Vars[1]);
        Assert.IsType<IndexExpr>(assign.Vars[2]);
        Assert.Equal(3, assign.Values.Length);
    }

    [Theory]
    [InlineData("+=", BinaryOp.Add)]
    [InlineData("-=", BinaryOp.Sub)]
    [InlineData("*=", BinaryOp.Mul)]
    [InlineData("/=", BinaryOp.Div)]
    [InlineData("//=", BinaryOp.FloorDiv)]
    [InlineData("%=", BinaryOp.Mod)]
    [InlineData("^=", BinaryOp.Pow)]
    [InlineData("..=", BinaryOp.Concat)]
    public void CompoundAssignment(string op, BinaryOp expected)
    {
        var compound = Single<CompoundAssignStat>($"t[i] {op} 2");
        Assert.Equal(expected, compound.Op);
        Assert.IsType<IndexExpr>(compound.Var);
    }

    [Fact]
    public void CallStatements()
    {
        BlockStat block = Parse("f()\nf 'x'\nf { 1 }\nobj:m(1)\nobj.a.b:c [[s]]");
        Assert.All(block.Body, s => Assert.IsType<CallExpr>(Assert.IsType<ExprStat>(s).Expr));
        var method = (CallExpr)((ExprStat)block.Body[3]).Expr;
        Assert.True(method.IsMethodCall);
        var callee = Assert.IsType<IndexNameExpr>(method.Function);
        Assert.Equal(':', callee.Op);
        Assert.Equal("m", callee.Index);
    }

    [Fact]
    public void SemicolonsAreRecorded()
    {
        BlockStat block = Parse("a = 1; b = 2\n;");
        Assert.True(block.Body[0].HasSemicolon);
        Assert.Equal(At(0, 0, 0, 6), block.Body[0].Location);
        Assert.True(block.Body[1].HasSemicolon);
    }

    [Fact]
    public void DoBlock()
    {
        var block = Single<BlockStat>("do local x = 1 end");
        Assert.True(block.HasEnd);
        Assert.Single(block.Body);
        Assert.Equal(At(0, 0, 0, 18), block.Location);
    }

    [Fact]
    public void WhileLoop()
    {
        var loop = Single<WhileStat>("while x do break end");
        Assert.True(loop.HasDo);
        Assert.IsType<BreakStat>(Assert.Single(loop.Body.Body));
        Assert.True(loop.Body.HasEnd);
    }

    [Fact]
    public void RepeatLoopConditionSeesBodyLocals()
    {
        var loop = Single<RepeatStat>("repeat local done = true until done");
        var local = Assert.IsType<LocalStat>(Assert.Single(loop.Body.Body));
        Assert.Same(local.Vars[0], Assert.IsType<LocalExpr>(loop.Condition).Local);
    }

    [Fact]
    public void NumericFor()
    {
        var loop = Single<ForStat>("for i: number = 1, 10, 2 do continue end");
        Assert.Equal("i", loop.Var.Name);
        Assert.NotNull(loop.Var.Annotation);
        Assert.NotNull(loop.Step);
        Assert.IsType<ContinueStat>(Assert.Single(loop.Body.Body));
        Assert.Null(Single<ForStat>("for i = 1, 2 do end").Step);
    }

    [Fact]
    public void GenericFor()
    {
        var loop = Single<ForInStat>("for k, v in next, t do end");
        Assert.Equal(["k", "v"], loop.Vars.Select(v => v.Name));
        Assert.Equal(2, loop.Values.Length);
        Assert.True(loop.HasIn);
        Assert.True(loop.HasDo);
    }

    [Fact]
    public void IfElseifElse()
    {
        var ifStat = Single<IfStat>("if a then x() elseif b then y() else z() end");
        Assert.Equal(At(0, 5, 0, 9), ifStat.ThenLocation);
        Assert.Equal(At(0, 14, 0, 20), ifStat.ElseLocation);
        Assert.True(ifStat.ThenBody.HasEnd);
        var elseIf = Assert.IsType<IfStat>(ifStat.ElseBody);
        var elseBlock = Assert.IsType<BlockStat>(elseIf.ElseBody);
        Assert.True(elseBlock.HasEnd);
        Assert.Single(elseBlock.Body);
    }

    [Fact]
    public void ReturnEndsTheBlock()
    {
        var ret = Single<ReturnStat>("return");
        Assert.Empty(ret.List);
        Assert.Equal(2, Single<ReturnStat>("return 1, 2;").List.Length);
        Assert.IsType<ReturnStat>(Assert.Single(Single<BlockStat>("do return end").Body));
    }

    [Fact]
    public void FunctionStatements()
    {
        BlockStat block = Parse("function f() end\nfunction a.b.c(x) end\nfunction a.b:m(y, ...) end");
        var plain = Assert.IsType<FunctionStat>(block.Body[0]);
        Assert.IsType<GlobalExpr>(plain.Name);
        Assert.Equal("f", plain.Function.DebugName);

        var field = Assert.IsType<FunctionStat>(block.Body[1]);
        Assert.Equal("c", field.Function.DebugName);
        Assert.Equal("c", Assert.IsType<IndexNameExpr>(field.Name).Index);
        Assert.Null(field.Function.Self);

        var method = Assert.IsType<FunctionStat>(block.Body[2]);
        Assert.Equal("m", method.Function.DebugName);
        Assert.Equal(':', Assert.IsType<IndexNameExpr>(method.Name).Op);
        Assert.Equal("self", method.Function.Self!.Name);
        Assert.Equal(["y"], method.Function.Parameters.Select(p => p.Name));
        Assert.True(method.Function.IsVararg);
    }

    [Fact]
    public void LocalFunctionCanCallItself()
    {
        var function = Single<LocalFunctionStat>("local function fact(n) return fact(n - 1) end");
        var ret = Assert.IsType<ReturnStat>(Assert.Single(function.Function.Body.Body));
        var call = Assert.IsType<CallExpr>(ret.List[0]);
        var callee = Assert.IsType<LocalExpr>(call.Function);
        Assert.Same(function.Name, callee.Local);
        Assert.True(callee.IsUpvalue);
        Assert.Equal("fact", function.Function.DebugName);
    }

    [Fact]
    public void FunctionSignature()
    {
        var function = Single<LocalFunctionStat>("local function f<T, U...>(a: T, ...: number): (T, U...) end").Function;
        Assert.Equal(["T"], function.Generics.Select(g => g.Name));
        Assert.Equal(["U"], function.GenericPacks.Select(g => g.Name));
        Assert.Equal("T", Assert.IsType<ReferenceType>(function.Parameters[0].Annotation).Name);
        Assert.IsType<VariadicTypePack>(function.VarargAnnotation);
        var returns = Assert.IsType<ExplicitTypePack>(function.ReturnAnnotation);
        Assert.Single(returns.TypeList.Types);
        Assert.IsType<GenericTypePack>(returns.TypeList.TailType);
        Assert.Equal(At(0, 25, 0, 44), function.ArgumentLocation);
    }

    [Fact]
    public void ReturnTypeForms()
    {
        AstTypePack Returns(string annotation) =>
            Single<LocalFunctionStat>($"local function f(): {annotation} end").Function.ReturnAnnotation!;

        Assert.IsType<ReferenceType>(Assert.Single(Assert.IsType<ExplicitTypePack>(Returns("number")).TypeList.Types));
        Assert.Empty(Assert.IsType<ExplicitTypePack>(Returns("()")).TypeList.Types);
        Assert.IsType<VariadicTypePack>(Returns("...number"));
        Assert.IsType<GenericTypePack>(Returns("T..."));
        Assert.IsType<FunctionType>(Assert.Single(Assert.IsType<ExplicitTypePack>(Returns("(number) -> string")).TypeList.Types));

        // "(A)" alone is just A; "(A) | B" keeps the parentheses as a group inside the union.
        Assert.IsType<ReferenceType>(Assert.Single(Assert.IsType<ExplicitTypePack>(Returns("(A)")).TypeList.Types));
        var union = Assert.IsType<UnionType>(Assert.Single(Assert.IsType<ExplicitTypePack>(Returns("(A) | B")).TypeList.Types));
        Assert.IsType<GroupType>(union.Types[0]);
    }

    [Fact]
    public void Attributes()
    {
        BlockStat block = Parse("@native function f() end\n@[checked, deprecated {use = \"g\", reason = \"old\"}] local function g() end\nlocal h = @native function() end");
        var f = Assert.IsType<FunctionStat>(block.Body[0]);
        Assert.Equal(AttributeKind.Native, Assert.Single(f.Function.Attributes).Kind);
        Assert.Equal(At(0, 0, 0, 24), f.Location);

        var g = Assert.IsType<LocalFunctionStat>(block.Body[1]);
        Assert.Equal([AttributeKind.Checked, AttributeKind.Deprecated], g.Function.Attributes.Select(a => a.Kind));
        Assert.IsType<TableExpr>(Assert.Single(g.Function.Attributes[1].Arguments));

        var h = Assert.IsType<FunctionExpr>(Assert.IsType<LocalStat>(block.Body[2]).Values[0]);
        Assert.True(h.HasAttribute(AttributeKind.Native));
    }

    [Fact]
    public void DebugNoinlineAttributeIsAnOption()
    {
        ParseResult result = Parser.Parse("@debugnoinline function f() end", new ParseOptions { DebugNoinlineAttribute = true });
        Assert.Empty(result.Errors);
        var f = Assert.IsType<FunctionStat>(result.Root.Body[0]);
        Assert.True(f.Function.HasAttribute(AttributeKind.DebugNoinline));
    }

    [Fact]
    public void TypeAlias()
    {
        var alias = Single<TypeAliasStat>("export type Map<K, V = string, R... = ...number> = { [K]: V }");
        Assert.True(alias.Exported);
        Assert.Equal("Map", alias.Name);
        Assert.Equal(["K", "V"], alias.Generics.Select(g => g.Name));
        Assert.Null(alias.Generics[0].DefaultValue);
        Assert.IsType<ReferenceType>(alias.Generics[1].DefaultValue);
        Assert.IsType<VariadicTypePack>(Assert.Single(alias.GenericPacks).DefaultValue);
        Assert.False(Single<TypeAliasStat>("type A = number").Exported);
    }

    [Fact]
    public void TypeFunction()
    {
        BlockStat block = Parse("type function f(t) return t end\nexport type function g() end");
        var f = Assert.IsType<TypeFunctionStat>(block.Body[0]);
        Assert.Equal("f", f.Name);
        Assert.False(f.Exported);
        Assert.Equal("f", f.Body.DebugName);
        Assert.True(Assert.IsType<TypeFunctionStat>(block.Body[1]).Exported);
    }

    [Fact]
    public void ContextualKeywordsAsNames()
    {
        BlockStat block = Parse("local type, export, continue = 1, 2, 3\ntype = type + 1\nprint(export, continue)");
        Assert.Equal(3, block.Body.Length);
    }

    // ----- Expressions -----

    [Fact]
    public void SimpleExpressions()
    {
        Assert.IsType<NilExpr>(Expr("nil"));
        Assert.True(Assert.IsType<BooleanExpr>(Expr("true")).Value);
        Assert.False(Assert.IsType<BooleanExpr>(Expr("false")).Value);
        Assert.IsType<VarargsExpr>(Expr("..."));
        Assert.IsType<GroupExpr>(Expr("(f())"));
    }

    [Theory]
    [InlineData("1 + 2 * 3", "Binary Add(1, Binary Mul(2, 3))")]
    [InlineData("1 * 2 + 3", "Binary Add(Binary Mul(1, 2), 3)")]
    [InlineData("1 - 2 - 3", "Binary Sub(Binary Sub(1, 2), 3)")]
    [InlineData("2 ^ 3 ^ 2", "Binary Pow(2, Binary Pow(3, 2))")]
    [InlineData("a .. b .. c", "Binary Concat(a, Binary Concat(b, c))")]
    [InlineData("-x ^ 2", "Unary Minus(Binary Pow(x, 2))")]
    [InlineData("not a == b", "Binary CompareEq(Unary Not(a), b)")]
    [InlineData("a or b and c", "Binary Or(a, Binary And(b, c))")]
    [InlineData("a < b == c", "Binary CompareEq(Binary CompareLt(a, b), c)")]
    [InlineData("#t + 1", "Binary Add(Unary Len(t), 1)")]
    [InlineData("a // b % c", "Binary Mod(Binary FloorDiv(a, b), c)")]
    [InlineData("1 .. 2 + 3", "Binary Concat(1, Binary Add(2, 3))")]
    [InlineData("a ~= b and c >= d or e <= f", "Binary Or(Binary And(Binary CompareNe(a, b), Binary CompareGe(c, d)), Binary CompareLe(e, f))")]
    public void OperatorPrecedence(string expression, string expected) => Assert.Equal(expected, Shape(Expr(expression)));

    private static string Shape(AstExpr e) => e switch
    {
        BinaryExpr b => $"Binary {b.Op}({Shape(b.Left)}, {Shape(b.Right)})",
        UnaryExpr u => $"Unary {u.Op}({Shape(u.Expr)})",
        NumberExpr n => n.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        GlobalExpr g => g.Name,
        _ => e.GetType().Name,
    };

    [Fact]
    public void BinaryLocations()
    {
        var binary = Assert.IsType<BinaryExpr>(Expr("a + b * c"));
        Assert.Equal(At(0, 7, 0, 16), binary.Location);
        Assert.Equal(At(0, 11, 0, 16), binary.Right.Location);
    }

    [Fact]
    public void IndexingAndCalls()
    {
        var call = Assert.IsType<CallExpr>(Expr("a.b[c]:d(e)(f)"));
        Assert.False(call.IsMethodCall);
        var inner = Assert.IsType<CallExpr>(call.Function);
        Assert.True(inner.IsMethodCall);
        var method = Assert.IsType<IndexNameExpr>(inner.Function);
        var index = Assert.IsType<IndexExpr>(method.Expr);
        var field = Assert.IsType<IndexNameExpr>(index.Expr);
        Assert.Equal("b", field.Index);
        Assert.Equal(At(0, 9, 0, 10), field.IndexLocation);
    }

    [Fact]
    public void CallArgumentLocation()
    {
        // The span of the arguments includes their parentheses, braces or quotes.
        var call = Assert.IsType<CallExpr>(Expr("f(1, 2)"));
        Assert.Equal(At(0, 8, 0, 14), call.ArgumentLocation);
        var tableCall = Assert.IsType<CallExpr>(Expr("f { 1 }"));
        Assert.Equal(At(0, 9, 0, 14), tableCall.ArgumentLocation);
        var stringCall = Assert.IsType<CallExpr>(Expr("f 'x'"));
        Assert.Equal(At(0, 9, 0, 12), stringCall.ArgumentLocation);
    }

    [Fact]
    public void TableConstructor()
    {
        var table = Assert.IsType<TableExpr>(Expr("{1, x = 2; [3] = 4, f = function() end,}"));
        Assert.Equal([TableItemKind.List, TableItemKind.Record, TableItemKind.General, TableItemKind.Record], table.Items.Select(i => i.Kind));
        Assert.Null(table.Items[0].Key);
        Assert.Equal("x", Encoding.UTF8.GetString(Assert.IsType<StringExpr>(table.Items[1].Key).Value));
        Assert.Equal("f", Assert.IsType<FunctionExpr>(table.Items[3].Value).DebugName);
        Assert.Empty(Assert.IsType<TableExpr>(Expr("{}")).Items);
    }

    [Fact]
    public void AnonymousFunction()
    {
        var function = Assert.IsType<FunctionExpr>(Expr("function(a, b) return a end"));
        Assert.Equal("", function.DebugName);
        Assert.Equal(1, function.FunctionDepth);
        Assert.Equal(2, function.Parameters.Length);
        Assert.False(function.IsVararg);
    }

    [Fact]
    public void IfElseExpression()
    {
        var ifElse = Assert.IsType<IfElseExpr>(Expr("if a then 1 elseif b then 2 else 3"));
        var nested = Assert.IsType<IfElseExpr>(ifElse.FalseExpr);
        Assert.IsType<NumberExpr>(nested.FalseExpr);
    }

    [Fact]
    public void TypeAssertion()
    {
        var assertion = Assert.IsType<TypeAssertionExpr>(Expr("x :: number"));
        Assert.IsType<GlobalExpr>(assertion.Expr);
        Assert.Equal("number", Assert.IsType<ReferenceType>(assertion.Annotation).Name);

        // '::' binds to the operand, not to the whole binary expression.
        var binary = Assert.IsType<BinaryExpr>(Expr("a + b :: number"));
        Assert.IsType<TypeAssertionExpr>(binary.Right);
    }

    [Fact]
    public void ExplicitTypeInstantiation()
    {
        var call = Assert.IsType<CallExpr>(Expr("f<<number, (string) -> ()>>(1)"));
        var instantiate = Assert.IsType<InstantiateExpr>(call.Function);
        Assert.Equal(2, instantiate.TypeArguments.Length);

        var method = Assert.IsType<CallExpr>(Expr("obj:m<<T...>>()"));
        Assert.True(method.IsMethodCall);
        Assert.IsType<IndexNameExpr>(method.Function);
        Assert.IsType<GenericTypePack>(Assert.Single(method.TypeArguments).TypePack);
    }

    [Fact]
    public void LessThanIsNotInstantiation()
    {
        Assert.IsType<BinaryExpr>(Expr("a < b"));
        Assert.IsType<BinaryExpr>(Expr("a < (b)"));
    }

    // ----- Types -----

    [Fact]
    public void ReferenceTypes()
    {
        var plain = Assert.IsType<ReferenceType>(TypeOf("number"));
        Assert.False(plain.HasParameterList);
        var qualified = Assert.IsType<ReferenceType>(TypeOf("mod.Type<A, ...B>"));
        Assert.Equal("mod", qualified.Prefix);
        Assert.Equal("Type", qualified.Name);
        Assert.IsType<ReferenceType>(qualified.Parameters[0].Type);
        Assert.IsType<VariadicTypePack>(qualified.Parameters[1].TypePack);
        Assert.True(Assert.IsType<ReferenceType>(TypeOf("T<>")).HasParameterList);
        Assert.Equal("nil", Assert.IsType<ReferenceType>(TypeOf("nil")).Name);
    }

    [Fact]
    public void TypeParametersThatArePacks()
    {
        var reference = Assert.IsType<ReferenceType>(TypeOf("F<(A), (A, B), (), T..., (A)?>"));
        Assert.Single(Assert.IsType<ExplicitTypePack>(reference.Parameters[0].TypePack).TypeList.Types);
        Assert.Equal(2, Assert.IsType<ExplicitTypePack>(reference.Parameters[1].TypePack).TypeList.Types.Length);
        Assert.Empty(Assert.IsType<ExplicitTypePack>(reference.Parameters[2].TypePack).TypeList.Types);
        Assert.IsType<GenericTypePack>(reference.Parameters[3].TypePack);
        Assert.IsType<GroupType>(Assert.IsType<OptionalType>(reference.Parameters[4].Type).Type);
    }

    [Fact]
    public void TableTypes()
    {
        var table = Assert.IsType<TableType>(TypeOf("{ x: number, read y: string, write z: boolean, [\"a b\"]: number, [string]: any }"));
        Assert.Equal(["x", "y", "z", "a b"], table.Props.Select(p => p.Name));
        Assert.Equal([TableAccess.ReadWrite, TableAccess.Read, TableAccess.Write, TableAccess.ReadWrite], table.Props.Select(p => p.Access));
        Assert.Equal("string", Assert.IsType<ReferenceType>(table.Indexer!.IndexType).Name);
        Assert.False(table.IsArray);

        var array = Assert.IsType<TableType>(TypeOf("{number}"));
        Assert.True(array.IsArray);
        Assert.Equal("number", Assert.IsType<ReferenceType>(array.Indexer!.IndexType).Name);
        Assert.Equal("number", Assert.IsType<ReferenceType>(array.Indexer.ResultType).Name);

        // 'read' and 'write' are property names when a ':' follows.
        var names = Assert.IsType<TableType>(TypeOf("{ read: number, write: string }"));
        Assert.All(names.Props, p => Assert.Equal(TableAccess.ReadWrite, p.Access));
    }

    [Fact]
    public void FunctionTypes()
    {
        var function = Assert.IsType<FunctionType>(TypeOf("<T>(x: T, number, ...string) -> (T, number)"));
        Assert.Equal(["T"], function.Generics.Select(g => g.Name));
        Assert.Equal(2, function.ArgTypes.Types.Length);
        Assert.IsType<VariadicTypePack>(function.ArgTypes.TailType);
        Assert.Equal(2, function.ArgNames.Length);
        Assert.Equal("x", function.ArgNames[0]!.Value.Name);
        Assert.Null(function.ArgNames[1]);
        Assert.Equal(2, Assert.IsType<ExplicitTypePack>(function.ReturnTypes).TypeList.Types.Length);

        var unnamed = Assert.IsType<FunctionType>(TypeOf("(number) -> ()"));
        Assert.Equal([null], unnamed.ArgNames);
    }

    [Fact]
    public void UnionsIntersectionsAndOptionals()
    {
        var union = Assert.IsType<UnionType>(TypeOf("A | B? | C"));
        Assert.Equal(3, union.Types.Length);
        Assert.IsType<OptionalType>(union.Types[1]);

        var optional = Assert.IsType<OptionalType>(TypeOf("A??"));
        Assert.IsType<OptionalType>(optional.Type);

        Assert.Equal(2, Assert.IsType<IntersectionType>(TypeOf("A & B")).Types.Length);
        Assert.Single(Assert.IsType<UnionType>(TypeOf("| A")).Types);
        Assert.Equal(2, Assert.IsType<UnionType>(TypeOf("| A | B")).Types.Length);
        Assert.Single(Assert.IsType<IntersectionType>(TypeOf("& A")).Types);
    }

    [Fact]
    public void SingletonTypeofAndGroupTypes()
    {
        Assert.True(Assert.IsType<SingletonBoolType>(TypeOf("true")).Value);
        Assert.Equal("up"u8.ToArray(), Assert.IsType<SingletonStringType>(TypeOf("'up'")).Value);
        Assert.IsType<CallExpr>(Assert.IsType<TypeofType>(TypeOf("typeof(f())")).Expr);
        var group = Assert.IsType<GroupType>(TypeOf("(A | B)"));
        Assert.IsType<UnionType>(group.Type);
    }

    [Fact]
    public void GenericTypePackDefaults()
    {
        var alias = Single<TypeAliasStat>("type F<A..., B... = (number, string), C... = D...> = () -> ()");
        Assert.Null(alias.GenericPacks[0].DefaultValue);
        Assert.IsType<ExplicitTypePack>(alias.GenericPacks[1].DefaultValue);
        Assert.IsType<GenericTypePack>(alias.GenericPacks[2].DefaultValue);
    }

    // ----- Comments and results -----

    [Fact]
    public void CommentsAndHotComments()
    {
        ParseResult result = Parser.Parse("--!strict\n--!optimize 2   \n-- plain\nlocal x = 1 --[[ block ]]\n--!native\n--[==[ unfinished");
        Assert.Equal(
            [CommentKind.Line, CommentKind.Line, CommentKind.Line, CommentKind.Block, CommentKind.Line, CommentKind.BrokenBlock],
            result.Comments.Select(c => c.Kind));
        Assert.Equal(At(3, 12, 3, 25), result.Comments[3].Location);

        Assert.Equal(["strict", "optimize 2", "native"], result.HotComments.Select(h => h.Content));
        Assert.Equal([true, true, false], result.HotComments.Select(h => h.Header));
    }

    [Fact]
    public void LineCount()
    {
        Assert.Equal(3, Parser.Parse("a()\nb()\nc()").Lines);
        Assert.Equal(3, Parser.Parse("a()\nb()\nc()\n").Lines);
        Assert.Equal(0, Parser.Parse("").Lines);
    }

    [Fact]
    public void EmptyChunk()
    {
        ParseResult result = Parser.Parse("");
        Assert.Empty(result.Errors);
        Assert.Empty(result.Root.Body);
        Assert.True(result.Root.HasEnd);
    }

    [Fact]
    public void TreeIsPresentWithErrors()
    {
        // "1 + + 2": the missing operand becomes an error node and parsing carries on with "+ 2" and the next line.
        ParseResult result = Parser.Parse("local x = 1 + + 2\nprint(x)");
        Assert.Single(result.Errors);
        Assert.Equal(2, result.Root.Body.Length);
        var local = Assert.IsType<LocalStat>(result.Root.Body[0]);
        var sum = Assert.IsType<BinaryExpr>(local.Values[0]);
        var error = Assert.IsType<ErrorExpr>(Assert.IsType<BinaryExpr>(sum.Left).Right);
        Assert.Equal("Expected identifier when parsing expression, got '+'", result.Errors[error.MessageIndex].Message);
        Assert.IsType<ExprStat>(result.Root.Body[1]);
    }
}
