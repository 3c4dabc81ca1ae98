using Coputer.Luau.VM;

namespace Coputer.Luau.Tests.VM;

/// <summary>
/// <see cref="LuauTable"/>: the border <c>#t</c> (which, with holes, depends on the layout and must be the
/// reference's for the same operations), traversal, growth, clearing, frozen tables and invalid keys.
/// </summary>
public class LuauTableTests
{
    [Theory]
    // A constructor sizes the array part; with no hash part and a non-nil last slot the border is the size.
    [InlineData("local t = {1, 2, 3, nil, 5} return #t", "5")]
    [InlineData("local t = {1, 2, nil, nil} return #t", "2")]
    [InlineData("local t = {1, 2, 3, 4, 5, 6, 7, 8} t[4] = nil return #t", "8")]
    [InlineData("local t = {1, 2, 3, 4, 5, 6, 7, 8} t[8] = nil local a = #t t[4] = nil return a, #t", "7\t7")]
    [InlineData("local t = {} t[1] = 1 t[2] = 2 t[4] = 4 return #t", "4")]
    [InlineData("local t = {} for i = 1, 10 do t[i] = i end for i = 1, 10, 2 do t[i] = nil end return #t", "10")]
    [InlineData("local t = {} for i = 1, 10 do t[i] = i end for i = 10, 1, -1 do t[i] = nil if #t ~= i - 1 then return 'bad', i end end return #t", "0")]
    [InlineData("local t = table.create(10) t[5] = 1 return #t", "0")]
    [InlineData("local t = table.create(10, 0) t[5] = nil return #t", "10")]
    [InlineData("local t = {n = 1} t[1] = 1 t[3] = 3 return #t", "1")]
    [InlineData("local t = {} t[2] = 2 return #t", "0")]
    [InlineData("local t = {} t[1] = 1 t[2] = 2 t[3] = 3 t[2] = nil return #t", "3")]
    [InlineData("local t = {} for i = 1, 100 do t[i] = i end t[50] = nil local a = #t t[100] = nil return a, #t", "100\t99")]
    [InlineData("local t = {} for i = 1, 16 do t[i] = i end t[17] = 17 t[16] = nil return #t", "17")]
    [InlineData("local t = {1, 2, 3} table.remove(t, 1) t[5] = 5 return #t", "2")]
    [InlineData("local t = {} t[3] = 3 t[2] = 2 t[1] = 1 return #t", "3")]
    [InlineData("local t = {x = 1} for i = 1, 5 do t[i] = i end t[3] = nil return #t", "5")]
    [InlineData("local t = {} for i = 1, 33 do t[i] = i end for i = 33, 20, -1 do t[i] = nil end t[19] = nil t[10] = nil return #t", "18")]
    [InlineData("local t = {1, 2, 3, 4} t[6] = 6 t[5] = 5 return #t", "6")]
    [InlineData("local t = {1, 2, nil, 4} table.insert(t, 5) return #t, t[5]", "5\t5")]
    public void BorderMatchesTheReference(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("local t = {} return pcall(function() t[nil] = 1 end)", "false\tchunk:1: table index is nil")]
    [InlineData("local t, nan = {}, 0 / 0 return pcall(function() t[nan] = 1 end)", "false\tchunk:1: table index is NaN")]
    [InlineData("return pcall(rawset, {}, nil, 1)", "false\ttable index is nil")]
    [InlineData("return pcall(rawset, {}, 0 / 0, 1)", "false\ttable index is NaN")]
    [InlineData("local t, k = {}, vector.create(0 / 0, 0, 0) return pcall(function() t[k] = 1 end)", "false\tchunk:1: table index contains NaN")]
    [InlineData("local t, nan = {}, 0 / 0 return t[nil], t[nan], rawget(t, nan)", "nil\tnil\tnil")]
    public void NilAndNaNKeys(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Theory]
    [InlineData("local t = {} t[vector.create(1, 2, 3)] = 'v' return t[vector.create(1, 2, 3)], t[vector.create(1, 2, 4)]", "v\tnil")]
    // 0 and -0 are the same key; so are 1 and 1.0, and 2^53 and 2^53 + 1 (the same double).
    [InlineData("local t = {} t[0] = 'zero' local a, b = t[-0.0], t[0.0] t[-0.0] = 'neg' local n = 0 for k in pairs(t) do n += 1 end return a, b, t[0], n", "zero\tzero\tneg\t1")]
    [InlineData("local t = {} t[1] = 'a' t[1.0] = 'b' t[2 ^ 53] = 'c' return t[1], t[2 ^ 53 + 1]", "b\tc")]
    [InlineData("local s = '\\0\\255\\128abc' local t = {[s] = 1} return #s, t['\\0\\255\\128abc'], t['\\0\\255\\128ab']", "6\t1\tnil")]
    [InlineData("local c = {} for i = 1, 5 do c[i] = i end c.x = 1 table.clear(c) local a, b = #c, next(c) c[1] = 1 return a, b, #c", "0\tnil\t1")]
    public void KeysOfEveryKind(string source, string expected) => ScriptRunner.Expect(source, expected);

    [Fact]
    public void ArrayPartGrowsInPowersOfTwoAndHashPartRehashes()
    {
        var state = new LuauState();
        var t = state.CreateTable();
        for (int i = 1; i <= 100; i++)
        {
            t[i] = i * 10;
            Assert.Equal(i, t.Length());
            Assert.True(t.SizeArray >= i);
            Assert.Equal(0, t.SizeArray & (t.SizeArray - 1));
        }
        Assert.Equal(128, t.SizeArray);
        for (int i = 0; i < 1000; i++)
            t["key" + i] = i;
        Assert.Equal(1024, t.Nodes.Length);
        for (int i = 0; i < 1000; i++)
            Assert.Equal(i, t["key" + i].Number);
        for (int i = 1; i <= 100; i++)
            Assert.Equal(i * 10, t[i].Number);
        Assert.Equal(100, t.Length());
    }

    [Fact]
    public void SparseIntegerKeysStayInTheHashPart()
    {
        var state = new LuauState();
        var t = state.CreateTable();
        for (int i = 1; i <= 20; i++)
            t[i * 1000] = i;
        Assert.Equal(0, t.SizeArray);
        Assert.Equal(0, t.Length());
        for (int i = 1; i <= 20; i++)
            Assert.Equal(i, t[i * 1000].Number);
    }

    [Fact]
    public void ClearKeepsCapacity()
    {
        var engine = new LuauEngine();
        var t = engine.DoString("local t = {} for i = 1, 50 do t[i] = i t['k' .. i] = i end return t")[0].AsTable!;
        int arraySize = t.SizeArray, nodes = t.Nodes.Length;
        Assert.True(arraySize >= 50 && nodes >= 50);
        engine.Call(engine.State.Globals["table"].AsTable!["clear"], t);
        Assert.Equal(arraySize, t.SizeArray);
        Assert.Equal(nodes, t.Nodes.Length);
        Assert.Equal(0, t.Length());
        Assert.False(t.Next(LuauValue.Nil, out _, out _));
        // Refilling fits in the kept space.
        for (int i = 1; i <= 50; i++)
        {
            t[i] = i;
            t["k" + i] = i;
        }
        Assert.Equal(arraySize, t.SizeArray);
        Assert.Equal(nodes, t.Nodes.Length);
        Assert.Equal(50, t.Length());
    }

    [Fact]
    public void NextVisitsArrayThenHashAndMatchesPairs()
    {
        var engine = new LuauEngine();
        var r = engine.DoString("local t = {10, 20, x = 1, [true] = 2, [1.5] = 3, [-1] = 4} local keys = {} for k in pairs(t) do table.insert(keys, tostring(k)) end return t, table.concat(keys, ' ')");
        var t = r[0].AsTable!;
        var keys = new List<string>();
        var key = LuauValue.Nil;
        while (t.Next(key, out var next, out var value))
        {
            Assert.Equal(value, t[next]);
            keys.Add(ScriptRunner.Render(engine, [next]));
            key = next;
        }
        Assert.Equal(r[1].ToString(), string.Join(' ', keys));
        Assert.Equal("1 2", string.Join(' ', keys.Take(2)));
        Assert.Throws<RuntimeError>(() => t.Next("absent", out _, out _));
    }

    [Fact]
    public void RemovingTheCurrentKeyDuringTraversalIsAllowed()
    {
        var state = new LuauState();
        var t = state.CreateTable();
        for (int i = 0; i < 100; i++)
            t["k" + i] = i;
        int visited = 0;
        var key = LuauValue.Nil;
        while (t.Next(key, out var next, out _))
        {
            t[next] = LuauValue.Nil;
            visited++;
            key = next;
        }
        Assert.Equal(100, visited);
        Assert.False(t.Next(LuauValue.Nil, out _, out _));
    }

    [Fact]
    public void FrozenTablesRefuseWrites()
    {
        var engine = new LuauEngine();
        var t = engine.DoString("return table.freeze({a = 1})")[0].AsTable!;
        Assert.True(t.IsFrozen);
        var e = Assert.ThrowsAny<LuauError>(() => t.RawSet("b", 2));
        Assert.Equal("attempt to modify a readonly table", e.Message);
        Assert.ThrowsAny<LuauError>(() => t["a"] = 5);
        Assert.Equal(1, t["a"].Number);
        Assert.True(t["b"].IsNil);
        Assert.Equal("true\tfalse\tattempt to modify a readonly table",
            ScriptRunner.Render(engine, engine.DoString("local t = table.freeze({}) return table.isfrozen(t), pcall(table.insert, t, 1)")));
    }

    [Fact]
    public void InvalidKeysFromTheHost()
    {
        var state = new LuauState();
        var t = state.CreateTable();
        Assert.Equal("table index is nil", Assert.ThrowsAny<LuauError>(() => t[LuauValue.Nil] = 1).Message);
        Assert.Equal("table index is NaN", Assert.ThrowsAny<LuauError>(() => t[double.NaN] = 1).Message);
        Assert.True(t[LuauValue.Nil].IsNil);
        Assert.True(t[double.NaN].IsNil);
        // Host-only key kinds work too.
        t[LuauValue.FromLightUserdata(7, 1)] = "light";
        Assert.Equal("light", t[LuauValue.FromLightUserdata(7, 1)].ToString());
        Assert.True(t[LuauValue.FromLightUserdata(7, 2)].IsNil);
        var ud = new LuauUserdata("payload");
        t[new LuauValue(ud)] = 3;
        Assert.Equal(3, t[new LuauValue(ud)].Number);
        Assert.True(t[new LuauValue(new LuauUserdata("payload"))].IsNil);
    }
}
