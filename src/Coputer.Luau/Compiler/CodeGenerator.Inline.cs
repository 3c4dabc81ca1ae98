using Coputer.Luau.Bytecode;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Compiler;

internal sealed partial class CodeGenerator
{
    private readonly List<InlineFrame> _inlineFrames = [];

    private sealed class InlineFrame(FunctionExpr function, int localOffset, int target, int targetCount)
    {
        public FunctionExpr Function { get; } = function;
        public int LocalOffset { get; } = localOffset;
        public int Target { get; } = target;
        public int TargetCount { get; } = targetCount;
        public List<int> ReturnJumps { get; } = [];
    }

    /// <summary>The function literal an expression certainly evaluates to (through never-assigned locals), or null.</summary>
    private FunctionExpr? GetFunctionExpr(AstExpr node)
    {
        for (int depth = 0; depth < 1000; depth++)
        {
            switch (node)
            {
                case LocalExpr local:
                    {
                        var v = _state.Variables.Get(local.Local);
                        if (!v.Tracked || v.Written || v.Init is null)
                            return null;
                        node = v.Init;
                        continue;
                    }
                case GroupExpr group:
                    node = group.Expr;
                    continue;
                case TypeAssertionExpr assertion:
                    node = assertion.Expr;
                    continue;
                case InstantiateExpr instantiate:
                    node = instantiate.Expr;
                    continue;
                case FunctionExpr function:
                    return function;
                default:
                    return null;
            }
        }
        return null;
    }

    /// <summary>Records what the inliner needs to know about a function that was just compiled (O2).</summary>
    private void RecordInlineInfo(FunctionExpr func, FunctionInfo info)
    {
        if (func.IsVararg || func.Self is not null || _state.GetfenvUsed || _state.SetfenvUsed)
            return;
        info.CanInline = true;
        info.StackSize = _stackSize;
        info.CostModel = 0;
        info.ReturnsOne = false;
    }

    private bool TryCompileInlinedCall(CallExpr node, int target, int targetCount, bool multRet) => false;

    private bool TryCompileUnrolledFor(ForStat node) => false;

    private void CompileInlineReturn(ReturnStat node)
    {
        var frame = _inlineFrames[^1];
        SetDebugLine(node);
        CompileExprListTemp(node.List, frame.Target, frame.TargetCount, targetTop: false);
        CloseLocals(frame.LocalOffset);
        frame.ReturnJumps.Add(_bc.EmitLabel());
        _bc.EmitAd(OpCode.Jump, 0, 0);
    }
}
