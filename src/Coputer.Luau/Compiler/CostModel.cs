using Coputer.Luau.Bytecode;
using Coputer.Luau.Syntax;

namespace Coputer.Luau.Compiler;

/// <summary>
/// Estimates how many instructions a function body or loop body compiles to, for the O2 inlining and unrolling
/// heuristics. A cost is packed into 8 saturating 7-bit lanes: lane 0 is the baseline, and lane i (1..7) is the
/// discount that applies when the i-th tracked variable (a parameter or the loop variable) is a known constant,
/// since expressions over constants fold away.
/// </summary>
internal static class CostModel
{
    /// <summary>Lane-wise saturating addition of two packed costs.</summary>
    private static ulong AddSaturated(ulong x, ulong y)
    {
        ulong r = x + y;
        ulong s = r & 0x8080808080808080UL; // lanes that overflowed into their top bit
        return (r ^ s) | (s - (s >> 7));
    }

    /// <summary>Lane-wise saturating multiplication of a packed cost by a small factor.</summary>
    private static ulong MultiplySaturated(ulong a, int b)
    {
        ulong f = (ulong)Math.Min(b, 127);
        // Even and odd lanes are multiplied separately so each 14-bit product has room.
        ulong lo = f * ((a >> 0) & 0x007F007F007F007FUL);
        ulong hi = f * ((a >> 8) & 0x007F007F007F007FUL);
        // Adding 0x7F80 sets bit 15 of a product exactly when it is 128 or more.
        ulong loSat = lo + 0x7F807F807F807F80UL;
        ulong hiSat = hi + 0x7F807F807F807F80UL;
        ulong s = (hiSat & 0x8000800080008000UL) | ((loSat & 0x8000800080008000UL) >> 8);
        ulong r = ((hi & 0x007F007F007F007FUL) << 8) | (lo & 0x007F007F007F007FUL);
        return r | (s - (s >> 7));
    }

    private readonly struct Cost
    {
        /// <summary>The constant mask of a literal: it folds with anything constant.</summary>
        public const ulong Literal = ulong.MaxValue;

        private Cost(ulong model, ulong constant)
        {
            Model = model;
            Constant = constant;
        }

        /// <summary>A cost with only a baseline (saturated at 127) and the given constant mask.</summary>
        public static Cost Baseline(int baseline, ulong constant = 0) => new((ulong)Math.Min(baseline, 0x7F), constant);

        public ulong Model { get; }

        /// <summary>Which tracked variables the value depends on only (all ones for literals).</summary>
        public ulong Constant { get; }

        public static Cost operator +(Cost a, Cost b) => new(AddSaturated(a.Model, b.Model), 0);

        public static Cost operator *(Cost a, int factor) => new(MultiplySaturated(a.Model, factor), 0);

        public static implicit operator Cost(int baseline) => Baseline(baseline);

        /// <summary>
        /// The cost of an operation on two values: one instruction, discounted for the variables both depend on (or the
        /// one a literal pairs with), since the operation folds when those are constant.
        /// </summary>
        public static Cost Fold(Cost x, Cost y)
        {
            ulong model = AddSaturated(x.Model, y.Model);
            ulong constant = x.Constant & y.Constant;
            ulong extra = constant == Literal ? 0 : (1 | (0x0101010101010101UL & constant));
            return new Cost(AddSaturated(model, extra), constant);
        }
    }

    /// <summary>
    /// The packed cost of <paramref name="root"/>, with the first seven of <paramref name="variables"/> tracked for
    /// constant discounts.
    /// </summary>
    public static ulong Model(AstNode root, IReadOnlyList<AstLocal> variables, CompilerState state)
    {
        var visitor = new CostVisitor(state);
        for (int i = 0; i < variables.Count && i < 7; i++)
            visitor.Variables[variables[i]] = 0xFFUL << (i * 8 + 8);
        root.Accept(visitor);
        return visitor.Result.Model;
    }

    /// <summary>The cost after discounts for the variables marked constant in <paramref name="constantVariables"/>.</summary>
    public static int Compute(ulong model, ReadOnlySpan<bool> constantVariables)
    {
        int cost = (int)(model & 0x7F);
        // A saturated sum is not reliable enough to discount.
        if (cost == 0x7F)
            return cost;
        for (int i = 0; i < constantVariables.Length && i < 7; i++)
        {
            if (constantVariables[i])
                cost -= (int)((model >> (i * 8 + 8)) & 0x7F);
        }
        return cost;
    }

    /// <summary>
    /// How many times <c>for v = from, to, step</c> runs, or -1 unless all three are integers in ±32767 (so the
    /// repeated additions are exact) and the step is not zero.
    /// </summary>
    public static int TripCount(double from, double to, double step)
    {
        static int? Small(double v) => v >= -32767 && v <= 32767 && (int)v == v ? (int)v : null;
        if (Small(from) is not int f || Small(to) is not int t || Small(step) is not int s || s == 0)
            return -1;
        if ((s < 0 && t > f) || (s > 0 && t < f))
            return 0;
        return (t - f) / s + 1;
    }

    private sealed class CostVisitor(CompilerState state) : AstVisitor
    {
        public Dictionary<AstLocal, ulong> Variables { get; } = new(ReferenceEqualityComparer.Instance);

        public Cost Result { get; private set; }

        private Cost ModelExpr(AstExpr node)
        {
            StackGuard.Check(node);

            // Anything the folder has looked at counts as free, as in the reference (even entries it later unset).
            if (state.Constants.ContainsKey(node))
                return Cost.Baseline(0, Cost.Literal);

            switch (node)
            {
                case GroupExpr group:
                    return ModelExpr(group.Expr);
                case NilExpr or BooleanExpr or NumberExpr or StringExpr or IntegerExpr:
                    return Cost.Baseline(0, Cost.Literal);
                case LocalExpr local:
                    // Locals usually need no instruction to read.
                    return Cost.Baseline(0, Variables.GetValueOrDefault(local.Local));
                case GlobalExpr:
                    return 1;
                case VarargsExpr:
                    return 3;
                case CallExpr call:
                    {
                        // Builtins compile to FASTCALL: a cheaper baseline, no function load, and free argument copies
                        // for the short forms.
                        bool builtin = state.Builtins.TryGetValue(call, out var id) && id != BuiltinFunction.None;
                        bool shortForm = builtin && call.Arguments.Length <= 3;
                        Cost cost = builtin ? 2 : 3;
                        if (!builtin)
                            cost += ModelExpr(call.Function);
                        foreach (var arg in call.Arguments)
                        {
                            var ac = ModelExpr(arg);
                            cost += ac.Model == 0 && !shortForm ? Cost.Baseline(1) : ac;
                        }
                        return cost;
                    }
                case IndexNameExpr indexName:
                    return ModelExpr(indexName.Expr) + 1;
                case IndexExpr index:
                    return ModelExpr(index.Expr) + ModelExpr(index.Index) + 1;
                case FunctionExpr:
                    return 10; // allocation
                case TableExpr table:
                    {
                        Cost cost = 10; // allocation
                        foreach (var item in table.Items)
                        {
                            // A packed run costs what its literals would: nothing each, plus one per item.
                            if (item.Value is NumberListExpr run)
                            {
                                cost += Cost.Baseline(run.Values.Length);
                                continue;
                            }
                            if (item.Key is not null)
                                cost += ModelExpr(item.Key);
                            cost += ModelExpr(item.Value);
                            cost += 1;
                        }
                        return cost;
                    }
                case UnaryExpr unary:
                    return Cost.Fold(ModelExpr(unary.Expr), Cost.Baseline(0, Cost.Literal));
                case BinaryExpr binary:
                    return Cost.Fold(ModelExpr(binary.Left), ModelExpr(binary.Right));
                case TypeAssertionExpr assertion:
                    return ModelExpr(assertion.Expr);
                case IfElseExpr ifElse:
                    return ModelExpr(ifElse.Condition) + ModelExpr(ifElse.TrueExpr) + ModelExpr(ifElse.FalseExpr) + 2;
                case InterpStringExpr interp:
                    {
                        Cost cost = 3; // string.format
                        foreach (var e in interp.Expressions)
                            cost += ModelExpr(e);
                        return cost;
                    }
                case InstantiateExpr instantiate:
                    return ModelExpr(instantiate.Expr);
                default:
                    return default;
            }
        }

        private void Assign(AstExpr target)
        {
            // Once assigned, a variable no longer earns its constant discount (a single pass is good enough).
            if (target is LocalExpr local && Variables.ContainsKey(local.Local))
                Variables[local.Local] = 0;
        }

        private void Loop(BlockStat body, Cost iteration, int factor = 3)
        {
            var before = Result;
            Result = default;
            body.Accept(this);
            Result = before + (Result + iteration) * factor;
        }

        private bool GetNumber(AstExpr node, out double value)
        {
            if (state.Constants.TryGetValue(node, out var c) && c.Type == ConstantType.Number)
            {
                value = c.Number;
                return true;
            }
            value = 0;
            return false;
        }

        public override bool VisitNode(AstNode node)
        {
            StackGuard.Check(node);
            return true;
        }

        public override bool VisitExpr(AstExpr node)
        {
            Result += ModelExpr(node);
            return false;
        }

        public override bool Visit(ForStat node)
        {
            Result += ModelExpr(node.From);
            Result += ModelExpr(node.To);
            if (node.Step is not null)
                Result += ModelExpr(node.Step);

            int trips = -1;
            double step = 1;
            if (GetNumber(node.From, out double from) && GetNumber(node.To, out double to) && (node.Step is null || GetNumber(node.Step, out step)))
                trips = TripCount(from, to, step);
            Loop(node.Body, 1, trips < 0 ? 3 : trips);
            return false;
        }

        public override bool Visit(ForInStat node)
        {
            foreach (var value in node.Values)
                Result += ModelExpr(value);
            Loop(node.Body, 1);
            return false;
        }

        public override bool Visit(WhileStat node)
        {
            Loop(node.Body, ModelExpr(node.Condition));
            return false;
        }

        public override bool Visit(RepeatStat node)
        {
            Loop(node.Body, ModelExpr(node.Condition));
            return false;
        }

        public override bool Visit(IfStat node)
        {
            var c = state.Constants.GetValueOrDefault(node.Condition);
            if (c.IsKnown && !c.IsTruthy)
            {
                node.ElseBody?.Accept(this);
                return false;
            }
            if (c.IsKnown)
            {
                node.ThenBody.Accept(this);
                return false;
            }

            // The comparison, and for a plain else the jump over it.
            Result += 1 + (node.ElseBody is not null and not IfStat ? 1 : 0);
            return true;
        }

        public override bool Visit(LocalStat node)
        {
            for (int i = 0; i < node.Values.Length; i++)
            {
                var value = ModelExpr(node.Values[i]);
                // A local initialised from tracked variables inherits their discounts.
                if (value.Constant != 0 && i < node.Vars.Length)
                    Variables[node.Vars[i]] = value.Constant;
                Result += value;
            }
            return false;
        }

        public override bool Visit(AssignStat node)
        {
            foreach (var target in node.Vars)
                Assign(target);
            for (int i = 0; i < node.Vars.Length || i < node.Values.Length; i++)
            {
                Cost c = default;
                if (i < node.Vars.Length)
                    c += ModelExpr(node.Vars[i]);
                if (i < node.Values.Length)
                    c += ModelExpr(node.Values[i]);
                // Moving a local or a constant into a local still takes an instruction.
                Result += c.Model == 0 ? Cost.Baseline(1) : c;
            }
            return false;
        }

        public override bool Visit(CompoundAssignStat node)
        {
            Assign(node.Var);
            // A non-local target needs a load and a store.
            Result += node.Var is LocalExpr ? 1 : 2;
            return true;
        }

        public override bool Visit(BreakStat node)
        {
            Result += 1;
            return false;
        }

        public override bool Visit(ContinueStat node)
        {
            Result += 1;
            return false;
        }

        public override bool Visit(BlockStat node)
        {
            StackGuard.Check(node);
            foreach (var stat in node.Body)
            {
                stat.Accept(this);
                if (Terminates(stat))
                    break;
            }
            return false;
        }

        private bool Terminates(AstStat node)
        {
            switch (node)
            {
                case BlockStat block:
                    foreach (var stat in block.Body)
                    {
                        if (Terminates(stat))
                            return true;
                    }
                    return false;
                case ReturnStat or BreakStat or ContinueStat:
                    return true;
                case IfStat ifStat:
                    {
                        var c = state.Constants.GetValueOrDefault(ifStat.Condition);
                        if (c.IsKnown && c.IsTruthy)
                            return Terminates(ifStat.ThenBody);
                        if (c.IsKnown && ifStat.ElseBody is not null)
                            return Terminates(ifStat.ElseBody);
                        return ifStat.ElseBody is not null && Terminates(ifStat.ThenBody) && Terminates(ifStat.ElseBody);
                    }
                default:
                    return false;
            }
        }
    }
}
