using System.Globalization;
using System.Runtime.CompilerServices;
using Coputer.Luau.VM;

namespace Coputer.Luau.Library;

/// <summary>Storage for one int per capture slot, kept inline in the matcher (so on the caller's stack).</summary>
[InlineArray(PatternMatcher.MaxCaptures)]
internal struct PatternCaptureSlots
{
    private int _element0;
}

/// <summary>One capture of a successful match: either a substring of the source or a position capture <c>()</c>.</summary>
internal readonly struct PatternCapture(int start, int length, bool isPosition)
{
    /// <summary>0-based offset in the source where the capture starts (for a position capture, the position).</summary>
    public int Start { get; } = start;

    /// <summary>Length in bytes of a substring capture; 0 for a position capture.</summary>
    public int Length { get; } = length;

    /// <summary>True for a position capture <c>()</c>, whose Luau value is the number <see cref="Position"/>.</summary>
    public bool IsPosition { get; } = isPosition;

    /// <summary>The 1-based string index a position capture yields in Luau.</summary>
    public int Position => Start + 1;
}

/// <summary>
/// The Luau pattern-matching engine (Lua 5.1 patterns plus <c>%g</c> and <c>%f[set]</c>) over a byte source and a
/// byte pattern. It is a backtracking matcher that follows the reference's semantics exactly, including its errors
/// and its limits: 32 captures and a match depth of 200 nested sub-matches ("pattern too complex"), which also bounds
/// how deep it recurses on the .NET stack. The matcher allocates nothing; captures live inline in the struct.
/// <para>
/// Typical use by the library: <see cref="Search"/> for <c>string.find</c>/<c>string.match</c>, <see cref="NextMatch"/>
/// for each step of a <c>string.gmatch</c> iterator, and <see cref="NextReplacement"/>/<see cref="FinishReplacement"/>
/// (or <see cref="ReplaceAll"/> for a string replacement) for <c>string.gsub</c>. After a successful match,
/// <see cref="GetCapture"/> reads the captures.
/// </para>
/// <para>
/// Hostile patterns such as <c>a-a-a-a-b</c> take time polynomial in the source length with a high degree; the
/// optional interrupt callback runs every <see cref="InterruptInterval"/> sub-match steps and may throw (instruction
/// budget, cancellation) to abandon the match.
/// </para>
/// </summary>
internal ref struct PatternMatcher
{
    /// <summary>The maximum number of captures in a pattern ("too many captures" beyond it).</summary>
    public const int MaxCaptures = 32;

    /// <summary>The maximum number of nested sub-matches ("pattern too complex" beyond it), as the reference.</summary>
    public const int MaxDepth = 200;

    /// <summary>How many sub-match steps run between two calls of the interrupt callback.</summary>
    public const int InterruptInterval = 256;

    // Capture lengths that are not lengths: a capture still open, and a position capture "()".
    private const int CaptureUnfinished = -1;
    private const int CapturePosition = -2;

    // What the first pattern item allows a search to skip (see PrepareSkip).
    private const byte SkipUnknown = 0;
    private const byte SkipNone = 1;
    private const byte SkipLiteral = 2;
    private const byte SkipClass = 3;

    private readonly ReadOnlySpan<byte> _source;
    private readonly ReadOnlySpan<byte> _pattern;
    private readonly Action? _interrupt;
    private int _depthLeft;
    private int _stepsLeft;
    private int _level;
    private PatternCaptureSlots _captureStart;
    private PatternCaptureSlots _captureLength;

    private byte _skipKind;
    private byte _skipLiteral;
    private int _skipItemEnd;

    // The gsub cursor (NextReplacement): where the scan stands, how many matches were replaced, and the last attempt.
    private int _replacePosition;
    private int _replaceCount;
    private int _replaceLastEnd;
    private bool _replaceStarted;
    private bool _replaceFinished;

    /// <summary>
    /// Creates a matcher of <paramref name="pattern"/> over <paramref name="source"/>.
    /// </summary>
    /// <param name="source">The subject string.</param>
    /// <param name="pattern">The pattern.</param>
    /// <param name="caretAnchors">
    /// True for <c>find</c>, <c>match</c> and <c>gsub</c>, where a leading <c>^</c> anchors the match at the start
    /// position; false for <c>gmatch</c>, where Luau treats a leading <c>^</c> as a literal character.
    /// </param>
    /// <param name="interrupt">Called every <see cref="InterruptInterval"/> steps; may throw to stop the match.</param>
    public PatternMatcher(ReadOnlySpan<byte> source, ReadOnlySpan<byte> pattern, bool caretAnchors, Action? interrupt = null)
    {
        // The match recursion is bounded (MaxDepth), but a host already deep in its own stack must not overflow.
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new LuauError("C stack overflow");
        if (caretAnchors && pattern.Length > 0 && pattern[0] == (byte)'^')
        {
            Anchored = true;
            pattern = pattern[1..];
        }
        _source = source;
        _pattern = pattern;
        _interrupt = interrupt;
        _depthLeft = MaxDepth;
        _stepsLeft = InterruptInterval;
        _replaceLastEnd = -1;
    }

    /// <summary>True when the pattern began with an anchoring <c>^</c> (removed from the pattern).</summary>
    public bool Anchored { get; }

    /// <summary>The number of captures the last successful match made (0 when the pattern has none).</summary>
    public readonly int CaptureCount => _level;

    /// <summary>
    /// The number of values <c>match</c>, <c>gmatch</c> and a gsub function or table receive: the captures, or
    /// the whole match (index 0 of <see cref="GetCapture"/>) when the pattern has none.
    /// </summary>
    public readonly int ResultCount => _level == 0 ? 1 : _level;

    /// <summary>How many matches <see cref="NextReplacement"/> has reported so far.</summary>
    public readonly int ReplacementCount => _replaceCount;

    /// <summary>
    /// Tries to match the pattern exactly at the 0-based offset <paramref name="start"/> (0 to the source length);
    /// on success <paramref name="end"/> is the offset just past the match and the captures are readable.
    /// </summary>
    public bool TryMatch(int start, out int end)
    {
        if ((uint)start > (uint)_source.Length)
            throw new ArgumentOutOfRangeException(nameof(start));
        _level = 0;
        _depthLeft = MaxDepth;
        end = Match(start, 0);
        return end >= 0;
    }

    /// <summary>
    /// The search of <c>string.find</c> and <c>string.match</c>: the first match at or after the 0-based offset
    /// <paramref name="start"/> (only at <paramref name="start"/> when <see cref="Anchored"/>). Use
    /// <see cref="LuaPattern.TryResolveInit"/> to turn the <c>init</c> argument into <paramref name="start"/>.
    /// </summary>
    public bool Search(int start, out int matchStart, out int matchEnd)
    {
        if ((uint)start > (uint)_source.Length)
            throw new ArgumentOutOfRangeException(nameof(start));
        int s = Anchored ? start : NextCandidate(start);
        while (s >= 0)
        {
            if (TryMatch(s, out matchEnd))
            {
                matchStart = s;
                return true;
            }
            if (Anchored || s >= _source.Length)
                break;
            s = NextCandidate(s + 1);
        }
        matchStart = matchEnd = -1;
        return false;
    }

    /// <summary>
    /// One step of a <c>string.gmatch</c> iterator. <paramref name="position"/> is the iterator's state, a 0-based
    /// offset starting at 0; the step finds the next match at or after it and moves it past the match (one byte
    /// further for an empty match). Returns false when there are no more matches.
    /// </summary>
    public bool NextMatch(ref int position, out int matchStart, out int matchEnd)
    {
        int s = position >= 0 && position <= _source.Length ? NextCandidate(position) : -1;
        while (s >= 0)
        {
            if (TryMatch(s, out matchEnd))
            {
                matchStart = s;
                position = matchEnd == s ? matchEnd + 1 : matchEnd;
                return true;
            }
            if (s >= _source.Length)
                break;
            s = NextCandidate(s + 1);
        }
        matchStart = matchEnd = -1;
        return false;
    }

    /// <summary>
    /// Drives <c>string.gsub</c>: copies the unmatched source bytes to <paramref name="output"/> and stops at the next
    /// match, which the caller must then replace by appending its replacement to <paramref name="output"/> (for a
    /// string replacement, <see cref="AppendReplacement"/>; for a false or nil table or function result, the
    /// original <c>source[matchStart..matchEnd]</c>). Returns false when the scan is over (end of source, anchored
    /// pattern done, or <paramref name="maxCount"/> replacements made); then call <see cref="FinishReplacement"/>.
    /// </summary>
    public bool NextReplacement(ByteBuilder output, int maxCount, out int matchStart, out int matchEnd)
    {
        while (!_replaceFinished)
        {
            if (_replaceStarted)
            {
                // Move past the previous attempt: over a non-empty match, else copy one byte.
                if (_replaceLastEnd > _replacePosition)
                    _replacePosition = _replaceLastEnd;
                else if (_replacePosition < _source.Length)
                    output.Append(_source[_replacePosition++]);
                else
                    _replaceFinished = true;
                if (Anchored)
                    _replaceFinished = true;
                if (_replaceFinished)
                    break;
            }
            _replaceStarted = true;
            if (_replaceCount >= maxCount)
            {
                _replaceFinished = true;
                break;
            }
            if (!Anchored && _replacePosition < _source.Length)
            {
                // Copy in one go the bytes where no match can start.
                int next = NextCandidate(_replacePosition);
                int stop = next < 0 ? _source.Length : next;
                output.Append(_source[_replacePosition..stop]);
                _replacePosition = stop;
            }
            if (TryMatch(_replacePosition, out int end))
            {
                _replaceLastEnd = end;
                _replaceCount++;
                matchStart = _replacePosition;
                matchEnd = end;
                return true;
            }
            _replaceLastEnd = -1;
        }
        matchStart = matchEnd = -1;
        return false;
    }

    /// <summary>Ends a <see cref="NextReplacement"/> scan: appends the rest of the source to <paramref name="output"/>.</summary>
    public void FinishReplacement(ByteBuilder output)
    {
        _replaceFinished = true;
        output.Append(_source[_replacePosition..]);
    }

    /// <summary>
    /// The whole of <c>string.gsub</c> with a string replacement: appends the result to <paramref name="output"/>
    /// and returns the number of replacements (at most <paramref name="maxCount"/>).
    /// </summary>
    public int ReplaceAll(ReadOnlySpan<byte> replacement, int maxCount, ByteBuilder output)
    {
        while (NextReplacement(output, maxCount, out int matchStart, out int matchEnd))
            AppendReplacement(replacement, matchStart, matchEnd, output);
        FinishReplacement(output);
        return _replaceCount;
    }

    /// <summary>
    /// Appends the expansion of a gsub replacement string for the match <c>[matchStart, matchEnd)</c>: <c>%0</c>
    /// is the whole match, <c>%1</c>..<c>%9</c> a capture (<c>%1</c> is the whole match when there are no captures),
    /// <c>%%</c> a percent sign; any other use of <c>%</c> is an error.
    /// </summary>
    public readonly void AppendReplacement(ReadOnlySpan<byte> replacement, int matchStart, int matchEnd, ByteBuilder output)
    {
        int i = 0;
        while (i < replacement.Length)
        {
            int escape = replacement[i..].IndexOf(LuaPattern.Escape);
            if (escape < 0)
            {
                output.Append(replacement[i..]);
                break;
            }
            output.Append(replacement.Slice(i, escape));
            i += escape + 1;
            int c = i < replacement.Length ? replacement[i] : 0;
            i++;
            if (c == LuaPattern.Escape)
                output.Append(LuaPattern.Escape);
            else if (c == '0')
                output.Append(_source[matchStart..matchEnd]);
            else if (c is >= '1' and <= '9')
                AppendCapture(c - '1', matchStart, matchEnd, output);
            else
                throw new LuauError("invalid use of '%' in replacement string");
        }
    }

    /// <summary>
    /// Capture <paramref name="index"/> (0-based) of the last match <c>[matchStart, matchEnd)</c>. Index 0 of a
    /// pattern without captures is the whole match. Errors as the reference: "invalid capture index" beyond the
    /// captures, "unfinished capture" for a capture the pattern never closed.
    /// </summary>
    public readonly PatternCapture GetCapture(int index, int matchStart, int matchEnd)
    {
        if ((uint)index >= (uint)_level)
        {
            if (index == 0)
                return new PatternCapture(matchStart, matchEnd - matchStart, false);
            throw new LuauError("invalid capture index");
        }
        int length = _captureLength[index];
        if (length == CaptureUnfinished)
            throw new LuauError("unfinished capture");
        if (length == CapturePosition)
            return new PatternCapture(_captureStart[index], 0, true);
        return new PatternCapture(_captureStart[index], length, false);
    }

    /// <summary>Appends capture <paramref name="index"/> as text: its bytes, or a position capture's decimal index.</summary>
    public readonly void AppendCapture(int index, int matchStart, int matchEnd, ByteBuilder output)
    {
        var capture = GetCapture(index, matchStart, matchEnd);
        if (capture.IsPosition)
        {
            var span = output.GetAppendSpan(11);
            capture.Position.TryFormat(span, out int written, default, CultureInfo.InvariantCulture);
            output.Advance(written);
        }
        else
            output.Append(_source.Slice(capture.Start, capture.Length));
    }

    /// <summary>The bytes of capture <c>index</c> (see <see cref="GetCapture"/>); empty for a position.</summary>
    public readonly ReadOnlySpan<byte> CaptureBytes(in PatternCapture capture) =>
        capture.IsPosition ? default : _source.Slice(capture.Start, capture.Length);

    // ---- the engine -------------------------------------------------------------------------------------------

    // The pattern byte at p, or 0 past the end: the reference reads its pattern as a zero-terminated C string,
    // and several rules depend on what that terminator looks like.
    private readonly byte PatternAt(int p) => (uint)p < (uint)_pattern.Length ? _pattern[p] : (byte)0;

    /// <summary>Matches the pattern from item <paramref name="p"/> at source offset <paramref name="s"/>; returns the end or -1.</summary>
    private int Match(int s, int p)
    {
        if (_depthLeft-- == 0)
            throw new LuauError("pattern too complex");
        if (_interrupt is not null && --_stepsLeft <= 0)
        {
            _stepsLeft = InterruptInterval;
            _interrupt();
        }

        // Items that must be followed by the rest of the pattern loop here instead of recursing, so only real
        // branch points (optional items, repetitions, captures) use depth.
        var pattern = _pattern;
        while (p < pattern.Length)
        {
            byte item = pattern[p];
            if (item == (byte)'(')
            {
                s = PatternAt(p + 1) == (byte)')'
                    ? StartCapture(s, p + 2, CapturePosition)
                    : StartCapture(s, p + 1, CaptureUnfinished);
                goto Done;
            }
            if (item == (byte)')')
            {
                s = EndCapture(s, p + 1);
                goto Done;
            }
            if (item == (byte)'$' && p + 1 == pattern.Length)
            {
                if (s != _source.Length)
                    s = -1;
                goto Done;
            }
            if (item == LuaPattern.Escape)
            {
                byte kind = PatternAt(p + 1);
                if (kind == (byte)'b')
                {
                    s = MatchBalance(s, p + 2);
                    if (s < 0)
                        goto Done;
                    p += 4;
                    continue;
                }
                if (kind == (byte)'f')
                {
                    p += 2;
                    if (PatternAt(p) != (byte)'[')
                        throw new LuauError("missing '[' after '%f' in pattern");
                    int setEnd = ClassEnd(p);
                    int previous = s == 0 ? 0 : _source[s - 1];
                    int current = s < _source.Length ? _source[s] : 0;
                    if (!MatchBracketClass(previous, p, setEnd - 1) && MatchBracketClass(current, p, setEnd - 1))
                    {
                        p = setEnd;
                        continue;
                    }
                    s = -1;
                    goto Done;
                }
                if (kind is >= (byte)'0' and <= (byte)'9')
                {
                    s = MatchBackReference(s, kind);
                    if (s < 0)
                        goto Done;
                    p += 2;
                    continue;
                }
                // Any other escape is a single-byte class, handled below.
            }

            int itemEnd = ClassEnd(p);
            byte suffix = PatternAt(itemEnd);
            if (!SingleMatch(s, p, itemEnd))
            {
                if (suffix is (byte)'*' or (byte)'?' or (byte)'-')
                {
                    // Zero repetitions are fine: go on with the rest.
                    p = itemEnd + 1;
                    continue;
                }
                s = -1;
                goto Done;
            }
            switch (suffix)
            {
                case (byte)'?':
                    int withItem = Match(s + 1, itemEnd + 1);
                    if (withItem >= 0)
                    {
                        s = withItem;
                        goto Done;
                    }
                    p = itemEnd + 1;
                    continue;
                case (byte)'+':
                    s = MaxExpand(s + 1, p, itemEnd);
                    goto Done;
                case (byte)'*':
                    s = MaxExpand(s, p, itemEnd);
                    goto Done;
                case (byte)'-':
                    s = MinExpand(s, p, itemEnd);
                    goto Done;
                default:
                    s++;
                    p = itemEnd;
                    continue;
            }
        }
    Done:
        _depthLeft++;
        return s;
    }

    /// <summary>The index just past the single-byte class that starts at <paramref name="p"/> (<c>x</c>, <c>%x</c> or <c>[set]</c>).</summary>
    private readonly int ClassEnd(int p)
    {
        var pattern = _pattern;
        byte first = pattern[p++];
        if (first == LuaPattern.Escape)
        {
            if (p >= pattern.Length)
                throw new LuauError("malformed pattern (ends with '%')");
            return p + 1;
        }
        if (first == (byte)'[')
        {
            if (PatternAt(p) == (byte)'^')
                p++;
            // The first byte of a set is always a member, so "[]]" is the set of ']'.
            do
            {
                if (p >= pattern.Length)
                    throw new LuauError("malformed pattern (missing ']')");
                if (pattern[p++] == LuaPattern.Escape && p < pattern.Length)
                    p++;
            } while (PatternAt(p) != (byte)']');
            return p + 1;
        }
        return p;
    }

    /// <summary>Whether the source byte at <paramref name="s"/> matches the class <c>[p, classEnd)</c>.</summary>
    private readonly bool SingleMatch(int s, int p, int classEnd)
    {
        if (s >= _source.Length)
            return false;
        int c = _source[s];
        byte item = _pattern[p];
        return item switch
        {
            (byte)'.' => true,
            LuaPattern.Escape => LuaPattern.MatchesClass(c, _pattern[p + 1]),
            (byte)'[' => MatchBracketClass(c, p, classEnd - 1),
            _ => item == c,
        };
    }

    /// <summary>Whether <paramref name="c"/> is in the set whose '[' is at <paramref name="p"/> and ']' at <paramref name="close"/>.</summary>
    private readonly bool MatchBracketClass(int c, int p, int close)
    {
        var pattern = _pattern;
        bool member = true;
        if (pattern[p + 1] == (byte)'^')
        {
            member = false;
            p++;
        }
        while (++p < close)
        {
            byte b = pattern[p];
            if (b == LuaPattern.Escape)
            {
                p++;
                if (LuaPattern.MatchesClass(c, pattern[p]))
                    return member;
            }
            else if (pattern[p + 1] == (byte)'-' && p + 2 < close)
            {
                // A range "x-y"; a '-' first or last in the set is a literal.
                if (b <= c && c <= pattern[p + 2])
                    return member;
                p += 2;
            }
            else if (b == c)
                return member;
        }
        return !member;
    }

    /// <summary><c>%bxy</c> at source offset <paramref name="s"/>, with x at pattern index <paramref name="p"/>.</summary>
    private readonly int MatchBalance(int s, int p)
    {
        if (p >= _pattern.Length - 1)
            throw new LuauError("malformed pattern (missing arguments to '%b')");
        var source = _source;
        if (s >= source.Length || source[s] != _pattern[p])
            return -1;
        byte open = _pattern[p];
        byte close = _pattern[p + 1];
        int depth = 1;
        while (++s < source.Length)
        {
            byte c = source[s];
            if (c == close)
            {
                if (--depth == 0)
                    return s + 1;
            }
            else if (c == open)
                depth++;
        }
        return -1;
    }

    /// <summary>Greedy repetition: as many items as possible, then give back one at a time until the rest matches.</summary>
    private int MaxExpand(int s, int p, int itemEnd)
    {
        int count = 0;
        while (SingleMatch(s + count, p, itemEnd))
            count++;
        for (; count >= 0; count--)
        {
            int end = Match(s + count, itemEnd + 1);
            if (end >= 0)
                return end;
        }
        return -1;
    }

    /// <summary>Lazy repetition: try the rest first, and take one more item only when the rest fails.</summary>
    private int MinExpand(int s, int p, int itemEnd)
    {
        while (true)
        {
            int end = Match(s, itemEnd + 1);
            if (end >= 0)
                return end;
            if (!SingleMatch(s, p, itemEnd))
                return -1;
            s++;
        }
    }

    private int StartCapture(int s, int p, int kind)
    {
        int level = _level;
        if (level >= MaxCaptures)
            throw new LuauError("too many captures");
        _captureStart[level] = s;
        _captureLength[level] = kind;
        _level = level + 1;
        int end = Match(s, p);
        if (end < 0)
            _level--; // the capture did not happen after all
        return end;
    }

    private int EndCapture(int s, int p)
    {
        int index = CaptureToClose();
        _captureLength[index] = s - _captureStart[index];
        int end = Match(s, p);
        if (end < 0)
            _captureLength[index] = CaptureUnfinished; // reopen it for other branches
        return end;
    }

    private readonly int CaptureToClose()
    {
        for (int level = _level - 1; level >= 0; level--)
        {
            if (_captureLength[level] == CaptureUnfinished)
                return level;
        }
        throw new LuauError("invalid pattern capture");
    }

    /// <summary><c>%1</c>..<c>%9</c>: the text of an earlier closed capture, again at <paramref name="s"/>.</summary>
    private readonly int MatchBackReference(int s, byte digit)
    {
        int index = digit - '1';
        if (index < 0 || index >= _level || _captureLength[index] == CaptureUnfinished)
            throw new LuauError($"invalid capture index %{index + 1}");
        int length = _captureLength[index];
        if (length < 0)
            return -1; // a position capture has no text; the reference's size check never passes for it
        var source = _source;
        if (source.Length - s >= length && source.Slice(_captureStart[index], length).SequenceEqual(source.Slice(s, length)))
            return s + length;
        return -1;
    }

    // ---- skipping hopeless start positions --------------------------------------------------------------------

    /// <summary>
    /// The first offset at or after <paramref name="s"/> where a match could start, or -1 when none can. When the
    /// first pattern item is a single-byte class that must match once (no <c>*</c>, <c>?</c> or <c>-</c>), a match
    /// can only start where that class matches, so searches skip other positions without running the matcher.
    /// </summary>
    private int NextCandidate(int s)
    {
        if (_skipKind == SkipUnknown)
            PrepareSkip();
        switch (_skipKind)
        {
            case SkipLiteral:
                if (s >= _source.Length)
                    return -1;
                int index = _source[s..].IndexOf(_skipLiteral);
                return index < 0 ? -1 : s + index;
            case SkipClass:
                for (; s < _source.Length; s++)
                {
                    if (SingleMatch(s, 0, _skipItemEnd))
                        return s;
                }
                return -1;
            default:
                return s;
        }
    }

    private void PrepareSkip()
    {
        _skipKind = SkipNone;
        var pattern = _pattern;
        if (pattern.Length == 0)
            return;
        byte first = pattern[0];
        switch (first)
        {
            case (byte)'(':
            case (byte)')':
            case (byte)'.':
                return;
            case (byte)'$' when pattern.Length == 1:
                return;
            case LuaPattern.Escape when PatternAt(1) is (byte)'b' or (byte)'f' or (>= (byte)'0' and <= (byte)'9'):
                return;
        }
        // ClassEnd may report a malformed first item: the first match attempt would report the same error.
        int itemEnd = ClassEnd(0);
        if (PatternAt(itemEnd) is (byte)'*' or (byte)'?' or (byte)'-')
            return;
        _skipItemEnd = itemEnd;
        if (first != LuaPattern.Escape && first != (byte)'[')
        {
            _skipKind = SkipLiteral;
            _skipLiteral = first;
        }
        else
            _skipKind = SkipClass;
    }
}
