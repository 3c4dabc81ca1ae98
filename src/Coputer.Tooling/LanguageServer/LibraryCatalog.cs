using Coputer.Luau.Library;
using Coputer.Luau.VM;

namespace Coputer.Tooling.LanguageServer;

/// <summary>A library function's signature: its parameters (each <c>name: type</c>), what it returns, and what it does.</summary>
internal sealed record LibrarySignature(string Name, string[] Parameters, string Returns, string Summary)
{
    public string Label => $"{Name}({string.Join(", ", Parameters)}){(Returns.Length > 0 ? ": " + Returns : "")}";
}

/// <summary>
/// The globals and library members a program can use. Names come from a state opened with every standard library,
/// so they match the engine exactly; signatures for the functions people call most are written out below.
/// </summary>
internal static class LibraryCatalog
{
    private static readonly Lazy<Catalog> s_catalog = new(Build);

    /// <summary>Global names: functions such as <c>print</c>, libraries such as <c>string</c>, and values such as <c>_G</c>.</summary>
    public static IReadOnlyDictionary<string, GlobalKind> Globals => s_catalog.Value.Globals;

    /// <summary>Each library's members, and whether each is a function.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, bool>> Members => s_catalog.Value.Members;

    /// <summary>The names of the string library's functions, which strings take as methods (<c>s:upper()</c>).</summary>
    public static IEnumerable<string> StringMethods => Members.TryGetValue("string", out var m) ? m.Keys : [];

    /// <summary>The signature of <c>name</c> or <c>library.name</c>, when it is written out.</summary>
    public static LibrarySignature? Signature(string qualifiedName) =>
        s_catalog.Value.Signatures.TryGetValue(qualifiedName, out var s) ? s : null;

    internal static IEnumerable<string> SignatureNames => s_catalog.Value.Signatures.Keys;

    internal enum GlobalKind
    {
        Function,
        Library,
        Value,
    }

    private sealed record Catalog(
        Dictionary<string, GlobalKind> Globals,
        Dictionary<string, IReadOnlyDictionary<string, bool>> Members,
        Dictionary<string, LibrarySignature> Signatures);

    private static Catalog Build()
    {
        var state = new LuauState();
        StandardLibrary.Open(state, LuauLibraries.All, LuauPlatform.Deterministic());
        var globals = new Dictionary<string, GlobalKind>(StringComparer.Ordinal);
        var members = new Dictionary<string, IReadOnlyDictionary<string, bool>>(StringComparer.Ordinal);
        foreach (var (key, value) in Entries(state.Globals))
        {
            if (value.AsTable is { } table && key != "_G")
            {
                globals[key] = GlobalKind.Library;
                var names = new SortedDictionary<string, bool>(StringComparer.Ordinal);
                foreach (var (member, memberValue) in Entries(table))
                    names[member] = memberValue.IsFunction;
                members[key] = names;
            }
            else
            {
                globals[key] = value.IsFunction ? GlobalKind.Function : GlobalKind.Value;
            }
        }
        // Provided by the runners rather than the standard library.
        globals.TryAdd("require", GlobalKind.Function);
        globals.TryAdd("args", GlobalKind.Value);

        var signatures = new Dictionary<string, LibrarySignature>(StringComparer.Ordinal);
        foreach (string line in SignatureText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // name(param, param): returns -- summary
            int open = line.IndexOf('(', StringComparison.Ordinal);
            int close = MatchingParenthesis(line, open);
            int bar = line.IndexOf(" -- ", StringComparison.Ordinal);
            string name = line[..open];
            string parameters = line[(open + 1)..close];
            string returns = line[(close + 1)..bar].Trim().TrimStart(':').Trim();
            string summary = line[(bar + 4)..].Trim();
            string[] list = parameters.Length == 0 ? [] : SplitParameters(parameters);
            signatures[name] = new LibrarySignature(name, list, returns, summary);
        }
        return new Catalog(globals, members, signatures);
    }

    private static int MatchingParenthesis(string text, int open)
    {
        int depth = 0;
        for (int i = open; i < text.Length; i++)
        {
            if (text[i] == '(')
                depth++;
            else if (text[i] == ')' && --depth == 0)
                return i;
        }
        throw new InvalidOperationException("unbalanced signature: " + text);
    }

    private static string[] SplitParameters(string text)
    {
        // Commas inside parentheses or braces belong to a type, not the list.
        var list = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] is '(' or '{')
                depth++;
            else if (text[i] is ')' or '}')
                depth--;
            else if (text[i] == ',' && depth == 0)
            {
                list.Add(text[start..i].Trim());
                start = i + 1;
            }
        }
        list.Add(text[start..].Trim());
        return [.. list];
    }

    private static IEnumerable<(string Key, LuauValue Value)> Entries(LuauTable table)
    {
        var key = LuauValue.Nil;
        while (table.Next(key, out var next, out var value))
        {
            if (next.AsString is { } s)
                yield return (s.ToString(), value);
            key = next;
        }
    }

    // One function a line: name(parameters): returns -- what it does.
    private const string SignatureText = """
        assert(value: T, message: string?): T -- Raises an error with the message when value is false or nil; otherwise returns its arguments.
        error(message: any, level: number?) -- Raises an error with the message (level 1, the default, adds the caller's position).
        getmetatable(value: any): table? -- The value's metatable (or its __metatable field).
        ipairs(t: {V}): (function, {V}, number) -- Iterates t[1], t[2], ... up to the first nil.
        next(t: {[K]: V}, key: K?): (K?, V) -- The entry after key in traversal order.
        pairs(t: {[K]: V}): (function, {[K]: V}, nil) -- Iterates every entry of t.
        pcall(f: function, ...: any): (boolean, ...any) -- Calls f in protected mode: true and its results, or false and the error.
        print(...: any) -- Writes its arguments, converted with tostring and separated by tabs, and a newline.
        rawequal(a: any, b: any): boolean -- Compares without calling __eq.
        rawget(t: table, key: any): any -- Reads t[key] without calling __index.
        rawlen(t: table | string): number -- The length without calling __len.
        rawset(t: table, key: any, value: any): table -- Writes t[key] without calling __newindex.
        select(index: number | "#", ...: any): ...any -- The arguments from index on, or their count with "#".
        setmetatable(t: table, metatable: table?): table -- Sets t's metatable and returns t.
        tonumber(value: any, base: number?): number? -- Converts a string or number to a number, or returns nil.
        tostring(value: any): string -- Converts any value to a string (calling __tostring when there is one).
        type(value: any): string -- The basic type's name: "nil", "number", "string", "table", ...
        typeof(value: any): string -- Like type, but reports a userdata's __type.
        unpack(t: {V}, i: number?, j: number?): ...V -- Returns t[i] to t[j].
        xpcall(f: function, handler: function, ...: any): (boolean, ...any) -- Like pcall, but calls handler with the error first.
        require(path: string): any -- Runs a module once and returns what it returns (./ and ../ paths are relative to this file).
        newproxy(withMetatable: boolean?): userdata -- A new empty userdata.
        gcinfo(): number -- Kilobytes of memory in use.
        string.byte(s: string, i: number?, j: number?): ...number -- The byte values of s from i to j.
        string.char(...: number): string -- The string of the given byte values.
        string.find(s: string, pattern: string, init: number?, plain: boolean?): (number?, number?, ...string) -- Where pattern first matches in s, and its captures.
        string.format(format: string, ...: any): string -- Formats the arguments as the format string says (%d, %s, %q, %x, %f, ...).
        string.gmatch(s: string, pattern: string): function -- Iterates the matches of pattern in s.
        string.gsub(s: string, pattern: string, replacement: string | table | function, max: number?): (string, number) -- Replaces matches of pattern; returns the result and the count.
        string.len(s: string): number -- The number of bytes in s.
        string.lower(s: string): string -- s with ASCII letters in lower case.
        string.match(s: string, pattern: string, init: number?): ...string -- The captures of the first match of pattern.
        string.rep(s: string, n: number, separator: string?): string -- s repeated n times.
        string.reverse(s: string): string -- s with its bytes in reverse order.
        string.split(s: string, separator: string?): {string} -- The parts of s between separators (default ",").
        string.sub(s: string, i: number, j: number?): string -- The bytes of s from i to j (negative counts from the end).
        string.upper(s: string): string -- s with ASCII letters in upper case.
        string.pack(format: string, ...: any): string -- Packs the values into a binary string.
        string.packsize(format: string): number -- The size of a string.pack result for the format.
        string.unpack(format: string, s: string, init: number?): ...any -- Reads values packed with the format.
        table.clear(t: table) -- Removes every entry of t, keeping its capacity.
        table.clone(t: T): T -- A shallow copy of t (not frozen, same metatable).
        table.concat(t: {string}, separator: string?, i: number?, j: number?): string -- Joins t[i] to t[j] with the separator.
        table.create(n: number, value: V?): {V} -- A table with n array slots, each set to value.
        table.find(t: {V}, value: V, init: number?): number? -- The first index of value in the array part.
        table.freeze(t: T): T -- Makes t read-only and returns it.
        table.insert(t: {V}, pos: number | V, value: V?) -- Inserts value at pos (or appends it).
        table.isfrozen(t: table): boolean -- Whether t is read-only.
        table.maxn(t: table): number -- The largest positive number key.
        table.move(a: {V}, f: number, e: number, t: number, b: {V}?): {V} -- Copies a[f..e] to b[t...].
        table.pack(...: V): {n: number, [number]: V} -- The arguments as an array with n set to their count.
        table.remove(t: {V}, pos: number?): V? -- Removes and returns t[pos] (default the last).
        table.sort(t: {V}, comp: ((V, V) -> boolean)?) -- Sorts t in place.
        table.unpack(t: {V}, i: number?, j: number?): ...V -- Returns t[i] to t[j].
        math.abs(x: number): number -- The absolute value.
        math.ceil(x: number): number -- The smallest integer at or above x.
        math.clamp(x: number, min: number, max: number): number -- x limited to [min, max].
        math.floor(x: number): number -- The largest integer at or below x.
        math.fmod(x: number, y: number): number -- The remainder of x / y, rounded towards zero.
        math.lerp(a: number, b: number, t: number): number -- The value t of the way from a to b.
        math.log(x: number, base: number?): number -- The logarithm (natural by default).
        math.max(x: number, ...: number): number -- The largest argument.
        math.min(x: number, ...: number): number -- The smallest argument.
        math.noise(x: number, y: number?, z: number?): number -- Perlin noise at the point.
        math.random(m: number?, n: number?): number -- A random number in [0, 1), [1, m] or [m, n].
        math.randomseed(seed: number) -- Seeds the random generator.
        math.round(x: number): number -- x rounded to the nearest integer, halves away from zero.
        math.sign(x: number): number -- -1, 0 or 1.
        math.sqrt(x: number): number -- The square root.
        math.pow(x: number, y: number): number -- x to the power y.
        math.exp(x: number): number -- e to the power x.
        math.modf(x: number): (number, number) -- The integer and fractional parts of x.
        math.sin(x: number): number -- The sine (radians).
        math.cos(x: number): number -- The cosine (radians).
        math.tan(x: number): number -- The tangent (radians).
        math.atan2(y: number, x: number): number -- The angle of the point (x, y).
        math.isnan(x: number): boolean -- Whether x is NaN.
        math.isinf(x: number): boolean -- Whether x is infinite.
        math.isfinite(x: number): boolean -- Whether x is neither infinite nor NaN.
        coroutine.create(f: function): thread -- A new coroutine running f.
        coroutine.resume(co: thread, ...: any): (boolean, ...any) -- Starts or continues co.
        coroutine.yield(...: any): ...any -- Suspends the running coroutine.
        coroutine.wrap(f: function): function -- A function that resumes a new coroutine each call.
        coroutine.status(co: thread): string -- "running", "suspended", "normal" or "dead".
        coroutine.running(): thread -- The running coroutine.
        coroutine.isyieldable(): boolean -- Whether the running code can yield.
        coroutine.close(co: thread): (boolean, any?) -- Closes a suspended or dead coroutine.
        bit32.band(...: number): number -- Bitwise and.
        bit32.bor(...: number): number -- Bitwise or.
        bit32.bxor(...: number): number -- Bitwise exclusive or.
        bit32.bnot(x: number): number -- Bitwise not.
        bit32.lshift(x: number, n: number): number -- x shifted left by n bits.
        bit32.rshift(x: number, n: number): number -- x shifted right by n bits (logical).
        bit32.arshift(x: number, n: number): number -- x shifted right by n bits (arithmetic).
        bit32.extract(x: number, field: number, width: number?): number -- Bits field to field + width - 1 of x.
        bit32.replace(x: number, v: number, field: number, width: number?): number -- x with those bits replaced by v.
        utf8.char(...: number): string -- The UTF-8 encoding of the code points.
        utf8.codepoint(s: string, i: number?, j: number?): ...number -- The code points from byte i to j.
        utf8.codes(s: string): function -- Iterates (byte position, code point) pairs.
        utf8.len(s: string, i: number?, j: number?): number? -- The number of code points, or nil and the first bad byte's position.
        utf8.offset(s: string, n: number, i: number?): number? -- The byte position of the n-th code point.
        os.clock(): number -- Processor seconds used.
        os.date(format: string?, time: number?): string | table -- The date and time, formatted.
        os.difftime(t2: number, t1: number): number -- t2 - t1 in seconds.
        os.time(t: table?): number -- The current time, or that of the date table, in seconds.
        buffer.create(size: number): buffer -- A zero-filled buffer of size bytes.
        buffer.fromstring(s: string): buffer -- A buffer holding the bytes of s.
        buffer.tostring(b: buffer): string -- The buffer's bytes as a string.
        buffer.len(b: buffer): number -- The buffer's size in bytes.
        buffer.copy(target: buffer, targetOffset: number, source: buffer, sourceOffset: number?, count: number?) -- Copies bytes between buffers.
        buffer.fill(b: buffer, offset: number, value: number, count: number?) -- Sets count bytes to value.
        buffer.readstring(b: buffer, offset: number, count: number): string -- count bytes from offset, as a string.
        buffer.writestring(b: buffer, offset: number, value: string, count: number?) -- Writes the string's bytes at offset.
        buffer.readu8(b: buffer, offset: number): number -- The unsigned byte at offset.
        buffer.writeu8(b: buffer, offset: number, value: number) -- Writes an unsigned byte at offset.
        buffer.readi32(b: buffer, offset: number): number -- The signed 32-bit little-endian integer at offset.
        buffer.writei32(b: buffer, offset: number, value: number) -- Writes a signed 32-bit little-endian integer.
        buffer.readf64(b: buffer, offset: number): number -- The 64-bit float at offset.
        buffer.writef64(b: buffer, offset: number, value: number) -- Writes a 64-bit float at offset.
        task.spawn(f: function | thread, ...: any): thread -- Runs f now in a new task.
        task.defer(f: function | thread, ...: any): thread -- Runs f in a new task after the current one yields.
        task.delay(seconds: number, f: function | thread, ...: any): thread -- Runs f in a new task after a delay.
        task.wait(seconds: number?): number -- Waits, then returns the time waited.
        task.cancel(t: thread) -- Cancels a task.
        vector.create(x: number, y: number, z: number?): vector -- A new vector.
        vector.magnitude(v: vector): number -- The vector's length.
        vector.normalize(v: vector): vector -- The vector scaled to length 1.
        vector.dot(a: vector, b: vector): number -- The dot product.
        vector.cross(a: vector, b: vector): vector -- The cross product.
        debug.traceback(message: string?, level: number?): string -- A stack trace, after the message.
        debug.info(level: number | function, options: string): ...any -- Facts about a function or stack level ("s", "l", "n", "a", "f").
        """;
}
