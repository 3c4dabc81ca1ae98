using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.Conformance;

/// <summary>
/// The host functions cyield.luau and iter.luau call: functions that yield and are continued, and functions that
/// call Luau through a yieldable (optionally protected) call and finish in a continuation. They work on their frame
/// as a stack, the way the reference's C functions do.
/// </summary>
internal static class ContinuationFunctions
{
    public static void Register(LuauTable g)
    {
        Set(g, "singleYield", SingleYield, (c, _) => c.Return(4));
        Set(g, "multipleYields", MultipleYields, MultipleYieldsContinuation);
        Set(g, "multipleYieldsWithNestedCall", MultipleYieldsWithNestedCall, MultipleYieldsWithNestedCallContinuation);
        Set(g, "passthroughCall", c => PushArgumentsAndCall(c, 1), (c, _) =>
        {
            // The three arguments and the one result.
            Assert.Equal(4, c.Top);
            Assert.Equal(0.5, c.Get(-1).Number);
            return 1;
        });
        Set(g, "passthroughCallMoreResults", c => PushArgumentsAndCall(c, 10), (c, _) =>
        {
            // The three arguments and ten results: the call's one, then nils.
            Assert.Equal(13, c.Top);
            for (int i = 0; i < 9; i++)
            {
                Assert.True(c.Get(-1).IsNil);
                c.SetTop(c.Top - 1);
            }
            Assert.Equal(0.5, c.Get(-1).Number);
            return 1;
        });
        Set(g, "passthroughCallArgReuse", c => c.CallYieldable(2, 1), (c, _) =>
        {
            // The call consumed the arguments: only its result is left.
            Assert.Equal(1, c.Top);
            Assert.Equal(0.5, c.Get(-1).Number);
            return 1;
        });
        Set(g, "passthroughCallVaradic", c =>
        {
            c.CheckAny(1);
            return c.CallYieldable(c.Top - 1, -1);
        }, (c, _) => c.Top);
        Set(g, "passthroughCallWithState", c =>
        {
            c.CheckAny(1);
            int args = c.Top - 1;
            c.Push(42);
            c.Insert(1);
            return c.CallYieldable(args, -1);
        }, (c, _) =>
        {
            Assert.Equal(42, c.CheckInteger(1));
            return c.Top - 1;
        });
        Set(g, "pcallThenCall", PcallThenCall, (c, s) => PcallThenCallContinuation(c, s, protectSecond: false));
        Set(g, "pcallThenPcall", PcallThenCall, (c, s) => PcallThenCallContinuation(c, s, protectSecond: true));
        Set(g, "cYieldingIterator", YieldingIterator, (c, _) =>
        {
            int index = c.CheckInteger(2);
            c.Push(index + 1);
            c.Push(index + 1);
            return 2;
        });
    }

    private static void Set(LuauTable g, string name, LuauCallback callback, LuauContinuation continuation) =>
        g[name] = new HostFunction(name, callback, continuation);

    private static int SingleYield(LuauCallContext c)
    {
        c.Push(2);
        return c.Yield(1);
    }

    private static int MultipleYields(LuauCallContext c)
    {
        c.SetTop(1);
        int start = c.CheckInteger(1);
        int position = 1;
        c.Push(position); // the state the continuation reads back
        c.Push(start + position);
        return c.Yield(1);
    }

    private static int MultipleYieldsContinuation(LuauCallContext c, LuauCallStatus status)
    {
        // The argument and the state pushed before yielding are still in the frame.
        int start = c.CheckInteger(1);
        int position = c.CheckInteger(2) + 1;
        c.Push(position);
        c.Replace(2);
        c.Push(start + position);
        return position < 4 ? c.Yield(1) : 1;
    }

    private static int MultipleYieldsWithNestedCall(LuauCallContext c)
    {
        c.SetTop(2);
        c.CheckType(2, LuauType.Boolean);
        bool nestedShouldYield = c[2].Boolean;
        c.Push(0); // state
        const int context = 5;
        c.Push(nestedShouldYield
            ? new HostFunction("nested", n =>
            {
                n.Push(100 + context);
                return n.Yield(1);
            }, (n, _) => n.Return(110 + context))
            : new HostFunction("nested", n => n.Return(105 + context)));
        return c.CallYieldable(0, 1);
    }

    private static int MultipleYieldsWithNestedCallContinuation(LuauCallContext c, LuauCallStatus status)
    {
        int state = c.CheckInteger(3);
        c.Push(state + 1);
        c.Replace(3);
        switch (state)
        {
            case 0:
                // Pass the nested call's results on.
                return c.Yield(c.Top - 3);
            case 1:
                c.Push(c.CheckInteger(1) + 200);
                return c.Yield(1);
            default:
                c.Push(c.CheckInteger(1) + 210);
                return 1;
        }
    }

    private static int PushArgumentsAndCall(LuauCallContext c, int results)
    {
        c.Push(c.Get(1));
        c.Push(c.Get(2));
        c.Push(c.Get(3));
        return c.CallYieldable(2, results);
    }

    private static int PcallThenCall(LuauCallContext c)
    {
        c.CheckAny(1);
        c.CheckAny(2);
        c.CheckStack(3, "pcallThenCall");
        c.Push(0); // state
        c.Push(0); // multiplier
        c.Push(c.Get(1));
        return c.PCallYieldable(0, 1);
    }

    private static int PcallThenCallContinuation(LuauCallContext c, LuauCallStatus status, bool protectSecond)
    {
        c.CheckStack(1, "pcallThenCallContinuation");
        int state = c.CheckInteger(3);
        if (state == 0)
        {
            // The first call's result (or -1 after an error) becomes the multiplier.
            if (status != LuauCallStatus.Ok)
                c.Push(-1);
            c.Replace(4);
            c.Push(1);
            c.Replace(3);
            c.Push(c.Get(2));
            return protectSecond ? c.PCallYieldable(0, -1) : c.CallYieldable(0, -1);
        }
        int multiplier = c.CheckInteger(4);
        int value = -1;
        if (status != LuauCallStatus.Ok)
            Assert.True(protectSecond);
        else
            value = (int)c.Get(-1).Number;
        c.Push(multiplier * value);
        return 1;
    }

    private static int YieldingIterator(LuauCallContext c)
    {
        int max = c.CheckInteger(1);
        int index = c.CheckInteger(2);
        if (index >= max)
            return 0;
        c.Push(index + 1);
        return c.Yield(1);
    }
}
