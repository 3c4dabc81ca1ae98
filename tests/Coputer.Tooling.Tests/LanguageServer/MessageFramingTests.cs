using System.Text;
using Coputer.Tooling.LanguageServer;

namespace Coputer.Tooling.Tests.LanguageServer;

public sealed class MessageFramingTests
{
    private static LspMessageReader Reader(string wire, int max = 1024) => new(new MemoryStream(Encoding.UTF8.GetBytes(wire)), max);

    private static string Frame(string body) => $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

    [Fact]
    public async Task Reads_consecutive_messages_then_null_at_the_end()
    {
        var reader = Reader(Frame("{\"a\":1}") + "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n" + Frame("{\"é\":2}"));
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString((await reader.ReadAsync())!));
        Assert.Equal("{\"é\":2}", Encoding.UTF8.GetString((await reader.ReadAsync())!));
        Assert.Null(await reader.ReadAsync());
    }

    [Fact]
    public async Task Header_names_ignore_case_and_unknown_headers_are_skipped()
    {
        var reader = Reader("X-Anything: 1\r\ncontent-length: 2\r\n\r\n{}");
        Assert.Equal("{}", Encoding.UTF8.GetString((await reader.ReadAsync())!));
    }

    [Theory]
    [InlineData("\r\n{}", "without a Content-Length")]
    [InlineData("Content-Length: x\r\n\r\n{}", "is not a number")]
    [InlineData("Content-Length: -2\r\n\r\n{}", "is not a number")]
    [InlineData("Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}", "given twice")]
    [InlineData("Content-Length: 2\n\n{}", "LF alone")]
    [InlineData("Content-Length: 2\r\r\n{}", "CR is not followed by LF")]
    [InlineData("Content-Length 2\r\n\r\n{}", "malformed header")]
    [InlineData("Content-Length: 5\r\n\r\n{}", "ended after 2 of 5")]
    [InlineData("Content-Length: 2\r\n", "ended inside a message's headers")]
    [InlineData("Content-Length: 2\r\nContent-Type: text/x; charset=latin1\r\n\r\n{}", "unsupported charset")]
    [InlineData("Content-Length: 99999999999999999999\r\n\r\n{}", "is not a number")]
    public async Task Malformed_framing_is_a_clear_error(string wire, string expected)
    {
        var e = await Assert.ThrowsAsync<LspFramingException>(async () => await Reader(wire).ReadAsync());
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.False(e.Recoverable);
    }

    [Fact]
    public async Task Overlong_header_lines_and_too_many_headers_are_refused()
    {
        var e = await Assert.ThrowsAsync<LspFramingException>(async () => await Reader("X: " + new string('a', 5000) + "\r\n\r\n").ReadAsync());
        Assert.Contains("longer than", e.Message, StringComparison.Ordinal);
        e = await Assert.ThrowsAsync<LspFramingException>(async () => await Reader(string.Concat(Enumerable.Repeat("X: 1\r\n", 100)) + "\r\n").ReadAsync());
        Assert.Contains("header lines", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_message_is_skipped_and_the_next_one_still_reads()
    {
        var reader = Reader(Frame(new string(' ', 2000)) + Frame("{}"), max: 1024);
        var e = await Assert.ThrowsAsync<LspFramingException>(async () => await reader.ReadAsync());
        Assert.True(e.Recoverable);
        Assert.Contains("over the limit", e.Message, StringComparison.Ordinal);
        Assert.Equal("{}", Encoding.UTF8.GetString((await reader.ReadAsync())!));
    }

    [Fact]
    public async Task Messages_split_into_one_byte_reads_are_put_back_together()
    {
        var reader = new LspMessageReader(new OneByteStream(Encoding.UTF8.GetBytes(Frame("{\"x\":[1,2,3]}") + Frame("{}"))));
        Assert.Equal("{\"x\":[1,2,3]}", Encoding.UTF8.GetString((await reader.ReadAsync())!));
        Assert.Equal("{}", Encoding.UTF8.GetString((await reader.ReadAsync())!));
        Assert.Null(await reader.ReadAsync());
    }

    /// <summary>
    /// Seeded fuzz: mutated streams of valid messages (bytes flipped, inserted, deleted, lengths changed). Every read
    /// must return a body within the limit, return null at the end, or throw a framing error; and reading must end.
    /// </summary>
    [Fact]
    public async Task Fuzzed_streams_only_ever_give_bodies_or_framing_errors()
    {
        var random = new Random(20261203);
        string[] bodies = ["{}", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}", "[1,2,3]", new string('x', 300), "é€😀"];
        for (int round = 0; round < 3000; round++)
        {
            var wire = new List<byte>();
            for (int m = random.Next(1, 4); m > 0; m--)
                wire.AddRange(Encoding.UTF8.GetBytes(Frame(bodies[random.Next(bodies.Length)])));
            for (int k = random.Next(1, 5); k > 0; k--)
            {
                int at = random.Next(wire.Count + 1);
                switch (random.Next(4))
                {
                    case 0 when at < wire.Count:
                        wire[at] = (byte)random.Next(256);
                        break;
                    case 1:
                        wire.Insert(at, (byte)"\r\n:0123456789 Content-Length"[random.Next(27)]);
                        break;
                    case 2 when at < wire.Count:
                        wire.RemoveAt(at);
                        break;
                    default:
                        wire.InsertRange(at, Encoding.ASCII.GetBytes($"Content-Length: {random.Next(0, 5000)}\r\n"));
                        break;
                }
            }

            var reader = new LspMessageReader(new MemoryStream([.. wire]), maxContentLength: 1000);
            for (int reads = 0; ; reads++)
            {
                Assert.True(reads <= wire.Count + 1, "the reader did not make progress");
                try
                {
                    byte[]? body = await reader.ReadAsync();
                    if (body is null)
                        break;
                    Assert.True(body.Length <= 1000);
                }
                catch (LspFramingException e) when (e.Recoverable)
                {
                    continue;
                }
                catch (LspFramingException)
                {
                    break;
                }
            }
        }
    }

    [Fact]
    public async Task The_writer_frames_with_the_byte_length()
    {
        var output = new MemoryStream();
        await new LspMessageWriter(output).WriteAsync(Encoding.UTF8.GetBytes("{\"é\":1}"));
        Assert.Equal("Content-Length: 8\r\n\r\n{\"é\":1}", Encoding.UTF8.GetString(output.ToArray()));
    }

    private sealed class OneByteStream(byte[] data) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= data.Length || count == 0)
                return 0;
            buffer[offset] = data[_position++];
            return 1;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
