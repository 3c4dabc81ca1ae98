using Coputer.Luau.Syntax;

namespace Coputer.Luau.Tests.Syntax;

/// <summary>How the parser resolves names to locals and globals, and the depths and ids it records.</summary>
public class ResolutionTests
{
    private static BlockStat Parse(string source)
    {
        ParseResult result = Parser.Parse(source);
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        return result.Root;
    }

    /// <summary>Every name use in the tree, in source order.</summary>
    private static List<AstExpr> Uses(AstNode root)
    {
        var collector = new UseCollector();
        root.Accept(collector);
        return collector.Uses;
    }

    private sealed class UseCollector : AstVisitor
    {
        public List<AstExpr> Uses { get; } = new();

        public override bool Visit(LocalExpr node)
        {
            Uses.Add(node);
            return true;
        }

        public override bool Visit(GlobalExpr node)
        {
            Uses.Add(node);
            return true;
        }
    }

    [Fact]
    public void LocalsAndGlobals()
    {
        BlockStat block = Parse("local a = 1\nprint(a, b)");
        var a = Assert.IsType<LocalStat>(block.Body[0]).Vars[0];
        List<AstExpr> uses = Uses(block.Body[1]);
        Assert.Equal("print", Assert.IsType<GlobalExpr>(uses[0]).Name);
        Assert.Same(a, Assert.IsType<LocalExpr>(uses[1]).Local);
        Assert.False(((LocalExpr)uses[1]).IsUpvalue);
        Assert.Equal("b", Assert.IsType<GlobalExpr>(uses[2]).Name);
    }

    [Fact]
    public void ValuesCannotSeeTheLocalsTheyInitialise()
    {
        BlockStat block = Parse("local x = 1\nlocal x = x + 1");
        var outer = Assert.IsType<LocalStat>(block.Body[0]).Vars[0];
        var inner = Assert.IsType<LocalStat>(block.Body[1]);
        Assert.Same(outer, Assert.IsType<LocalExpr>(Uses(inner)[0]).Local);
        Assert.Same(outer, inner.Vars[0].Shadow);
    }

    [Fact]
    public void ScopesEndWithTheirBlock()
    {
        BlockStat block = Parse("local x = 1\ndo local x = 2; print(x) end\nprint(x)\ndo local y = 3 end\nprint(y)");
        var outer = Assert.IsType<LocalStat>(block.Body[0]).Vars[0];
        var doBlock = Assert.IsType<BlockStat>(block.Body[1]);
        var inner = Assert.IsType<LocalStat>(doBlock.Body[0]).Vars[0];

        Assert.Same(inner, Assert.IsType<LocalExpr>(Uses(doBlock.Body[1])[1]).Local);
        Assert.Same(outer, Assert.IsType<LocalExpr>(Uses(block.Body[2])[1]).Local);
        Assert.IsType<GlobalExpr>(Uses(block.Body[4])[1]);
    }

    [Fact]
    public void UpvaluesAndFunctionDepth()
    {
        BlockStat block = Parse("local a = 1\nlocal function f(p)\n  local b = a\n  return function() return a, b, p end\nend");
        var a = Assert.IsType<LocalStat>(block.Body[0]).Vars[0];
        var f = Assert.IsType<LocalFunctionStat>(block.Body[1]);
        Assert.Equal(0, a.FunctionDepth);
        Assert.Equal(0, f.Name.FunctionDepth);
        Assert.Equal(1, f.Function.FunctionDepth);
        Assert.Equal(1, f.Function.Parameters[0].FunctionDepth);

        var b = Assert.IsType<LocalStat>(f.Function.Body.Body[0]);
        var useInF = Assert.IsType<LocalExpr>(b.Values[0]);
        Assert.True(useInF.IsUpvalue);
        Assert.Equal(1, b.Vars[0].FunctionDepth);

        var inner = Assert.IsType<FunctionExpr>(Assert.IsType<ReturnStat>(f.Function.Body.Body[1]).List[0]);
        Assert.Equal(2, inner.FunctionDepth);
        Assert.All(Uses(inner.Body), use => Assert.True(Assert.IsType<LocalExpr>(use).IsUpvalue));
    }

    [Fact]
    public void IdsNumberDeclarationsInOrder()
    {
        BlockStat block = Parse("local a, b\nlocal function c(d, e) local f end\nfor g = 1, 2 do end\nfunction t:m(h) end");
        var ids = new List<(string, int)>();
        var a = (LocalStat)block.Body[0];
        var c = (LocalFunctionStat)block.Body[1];
        var g = (ForStat)block.Body[2];
        var m = (FunctionStat)block.Body[3];
        foreach (AstLocal l in a.Vars)
            ids.Add((l.Name, l.Id));
        ids.Add((c.Name.Name, c.Name.Id));
        foreach (AstLocal l in c.Function.Parameters)
            ids.Add((l.Name, l.Id));
        AstLocal f = ((LocalStat)c.Function.Body.Body[0]).Vars[0];
        ids.Add((f.Name, f.Id));
        ids.Add((g.Var.Name, g.Var.Id));
        ids.Add((m.Function.Self!.Name, m.Function.Self.Id));
        ids.Add((m.Function.Parameters[0].Name, m.Function.Parameters[0].Id));

        Assert.Equal([("a", 0), ("b", 1), ("c", 2), ("d", 3), ("e", 4), ("f", 5), ("g", 6), ("self", 7), ("h", 8)], ids);
    }

    [Fact]
    public void IdsStartAtZeroInEveryParse()
    {
        Assert.Equal(0, ((LocalStat)Parse("local x").Body[0]).Vars[0].Id);
        Assert.Equal(0, ((LocalStat)Parse("local y").Body[0]).Vars[0].Id);
    }

    [Fact]
    public void LoopDepth()
    {
        BlockStat block = Parse("local a\nfor i = 1, 2 do\n  while true do local b; local f = function() local c end end\nend");
        Assert.Equal(0, ((LocalStat)block.Body[0]).Vars[0].LoopDepth);
        var loop = (ForStat)block.Body[1];
        Assert.Equal(1, loop.Var.LoopDepth);
        var inner = (WhileStat)loop.Body.Body[0];
        Assert.Equal(2, ((LocalStat)inner.Body.Body[0]).Vars[0].LoopDepth);
        var function = (FunctionExpr)((LocalStat)inner.Body.Body[1]).Values[0];
        AstLocal c = ((LocalStat)function.Body.Body[0]).Vars[0];

        // A function body starts counting loops afresh.
        Assert.Equal(0, c.LoopDepth);
        Assert.Equal(1, c.FunctionDepth);
    }

    [Fact]
    public void LoopVariablesAreNotVisibleToTheLoopHeader()
    {
        BlockStat block = Parse("for k in k do print(k) end\nfor i = i, 2 do end");
        var forIn = (ForInStat)block.Body[0];
        Assert.IsType<GlobalExpr>(forIn.Values[0]);
        Assert.Same(forIn.Vars[0], Assert.IsType<LocalExpr>(Uses(forIn.Body)[1]).Local);
        Assert.IsType<GlobalExpr>(((ForStat)block.Body[1]).From);
    }

    [Fact]
    public void SelfInMethods()
    {
        var method = (FunctionStat)Parse("function obj:get() return self.value end").Body[0];
        Assert.NotNull(method.Function.Self);
        Assert.Same(method.Function.Self, Assert.IsType<LocalExpr>(Uses(method.Function.Body)[0]).Local);
    }

    [Fact]
    public void FunctionStatementNameResolves()
    {
        BlockStat block = Parse("local t = {}\nfunction t.f() end\nfunction g() end");
        var t = ((LocalStat)block.Body[0]).Vars[0];
        var f = (FunctionStat)block.Body[1];
        Assert.Same(t, Assert.IsType<LocalExpr>(Assert.IsType<IndexNameExpr>(f.Name).Expr).Local);
        Assert.IsType<GlobalExpr>(((FunctionStat)block.Body[2]).Name);
    }

    [Fact]
    public void BreakAndContinueInsideLoops()
    {
        BlockStat block = Parse("while a do if b then break end continue end\nrepeat continue until c\nfor i = 1, 2 do do break end end");
        Assert.Equal(3, block.Body.Length);
    }

    [Fact]
    public void TypeFunctionsSeeOnlyTheirOwnLocals()
    {
        BlockStat block = Parse("type function f(t)\n  local n = t\n  local function g() return n end\n  return g()\nend");
        var typeFunction = (TypeFunctionStat)block.Body[0];
        Assert.All(Uses(typeFunction.Body.Body), use => Assert.IsType<LocalExpr>(use));

        ParseResult outer = Parser.Parse("local x = 1\ntype function f() return x end");
        Assert.Equal("Type function cannot reference outer local 'x'", Assert.Single(outer.Errors).Message);
    }

    [Fact]
    public void ParametersAnnotationsAreResolvedOutsideTheFunction()
    {
        // typeof(x) in a parameter's type refers to the x outside, not to the parameter.
        var function = (LocalFunctionStat)Parse("local x = 1\nlocal function f(x: typeof(x)) end").Body[1];
        var typeOf = Assert.IsType<TypeofType>(function.Function.Parameters[0].Annotation);
        Assert.Equal(0, Assert.IsType<LocalExpr>(typeOf.Expr).Local.Id);
    }
}
