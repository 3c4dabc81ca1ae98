using Coputer.Luau.VM;

namespace Coputer.Platform.Runtime;

/// <summary>
/// The <c>args</c> library: <c>args.web()</c> builds, on every call, a new frozen table describing the request
/// (section 2.2 of the spec): <c>url</c> with <c>rawpath</c>, <c>path</c>, <c>rawquery</c> and <c>query</c>
/// (each key a frozen list of its values, in order), <c>method</c>, <c>headers</c> and <c>body</c> (a fresh,
/// writable buffer). Header lookup ignores case (<c>headers["User-Agent"]</c> finds <c>user-agent</c>), and
/// generalised iteration over <c>query</c> and <c>headers</c> gives keys in sorted order, as the original's does.
/// </summary>
internal static class WebArgs
{
    private const string LockedMetatable = "The metatable is locked";

    public static LuauTable CreateArgsTable(LuauState state, WebRequest request)
    {
        var args = state.CreateTable();
        args["web"] = new HostFunction("web", c => c.Return(Build(c.State, request)));
        args.Freeze();
        return args;
    }

    private static LuauTable Build(LuauState state, WebRequest request)
    {
        var query = state.CreateTable(0, request.Query.Count);
        var queryKeys = new LuauValue[request.Query.Count];
        int n = 0;
        foreach (var (key, values) in request.Query)
        {
            var list = state.CreateTable(values.Count, 0);
            for (int i = 0; i < values.Count; i++)
                list.RawSet(i + 1, values[i]);
            list.Freeze();
            LuauValue k = key;
            queryKeys[n++] = k;
            query.RawSet(k, list);
        }
        query.SetMetatable(SortedMetatable(state, queryKeys, caseInsensitive: false));
        query.Freeze();

        var url = state.CreateTable(0, 4);
        url["rawpath"] = request.RawPath;
        url["path"] = request.Path;
        url["rawquery"] = request.RawQuery;
        url["query"] = query;
        url.Freeze();

        var headers = state.CreateTable(0, request.Headers.Count);
        var headerKeys = new LuauValue[request.Headers.Count];
        n = 0;
        foreach (var (name, value) in request.Headers)
        {
            LuauValue k = name;
            headerKeys[n++] = k;
            headers.RawSet(k, value);
        }
        headers.SetMetatable(SortedMetatable(state, headerKeys, caseInsensitive: true));
        headers.Freeze();

        var web = state.CreateTable(0, 4);
        web["url"] = url;
        web["method"] = request.Method;
        web["headers"] = headers;
        web["body"] = new LuauValue(new LuauBuffer(request.Body.ToArray()));
        web.Freeze();
        return web;
    }

    /// <summary>A frozen metatable whose <c>__iter</c> walks <paramref name="sortedKeys"/> and, for headers, whose <c>__index</c> lowercases.</summary>
    private static LuauTable SortedMetatable(LuauState state, LuauValue[] sortedKeys, bool caseInsensitive)
    {
        var meta = state.CreateTable(0, 3);
        meta["__iter"] = new HostFunction("__iter", c =>
        {
            var table = c.CheckTable(1);
            int next = 0;
            return c.Return(new HostFunction("iterator", it =>
            {
                if (next >= sortedKeys.Length)
                    return 0;
                var key = sortedKeys[next++];
                return it.Return(key, table[key]);
            }));
        });
        if (caseInsensitive)
        {
            meta["__index"] = new HostFunction("__index", c =>
            {
                var table = c.CheckTable(1);
                var key = c[2];
                if (key.Type != LuauType.String)
                    return c.Return(LuauValue.Nil);
                var bytes = key.AsString!.Span;
                if (!HasUpper(bytes))
                    return c.Return(LuauValue.Nil);
                var lower = new byte[bytes.Length];
                for (int i = 0; i < bytes.Length; i++)
                    lower[i] = bytes[i] is >= (byte)'A' and <= (byte)'Z' ? (byte)(bytes[i] + 32) : bytes[i];
                return c.Return(table[new LuauValue(LuauString.From(lower))]);
            });
        }
        meta["__metatable"] = LockedMetatable;
        meta.Freeze();
        return meta;
    }

    private static bool HasUpper(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (b is >= (byte)'A' and <= (byte)'Z')
                return true;
        }
        return false;
    }
}
