using System.Diagnostics;
using Coputer.Platform.Identity;

namespace Coputer.Platform.Tests.Identity;

public class IdentityTests
{
    [Fact]
    public void TextFormsRoundTrip()
    {
        using var publisher = Publisher.Generate();
        string pub = publisher.Key.ToString();
        Assert.Matches("^copub:([0-9a-z]{10}-){4}[0-9a-z]{10}$", pub);
        Assert.Equal(publisher.Key, PublisherKey.Parse(pub));
        Assert.Equal(publisher.Key, PublisherKey.Parse(pub["copub:".Length..]));
        string sec = publisher.ExportSecret();
        Assert.Matches("^cosec:([0-9a-z]{10}-){4}[0-9a-z]{10}$", sec);
        using var again = Publisher.ParseSecret("  " + sec + "\n");
        Assert.Equal(publisher.Key, again.Key);
    }

    [Fact]
    public void SeedGivesTheRfc8032PublicKey()
    {
        // RFC 8032, section 7.1, test 1.
        var seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        using var publisher = Publisher.FromSeed(seed);
        Assert.Equal("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", Convert.ToHexStringLower(publisher.Key.Bytes));
        var signature = publisher.Sign([]);
        Assert.Equal("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            Convert.ToHexStringLower(signature));
        Assert.True(publisher.Key.Verify([], signature));
        Assert.False(publisher.Key.Verify([1], signature));
    }

    public static TheoryData<string, string> BadPublicKeys => new()
    {
        { "copub:abc", "invalid length: expected 54, got 3" },
        { "copub:" + new string('0', 54), "expected '-'" },
        { "copub:000000000A-0000000000-0000000000-0000000000-0000000000", "non-base character 'A'" },
        { "copub:zzzzzzzzzz-zzzzzzzzzz-zzzzzzzzzz-zzzzzzzzzz-zzzzzzzzzz", "does not fit in 32 bytes" },
        { "cosec:0000000000-0000000000-0000000000-0000000000-0000000000", "expected the prefix 'copub:'" },
    };

    [Theory]
    [MemberData(nameof(BadPublicKeys))]
    public void BadPublicKeyTextsGiveClearErrors(string text, string message)
    {
        Assert.Contains(message, PublisherKey.TryParse(text, out _));
        Assert.Contains(message, Assert.Throws<FormatException>(() => PublisherKey.Parse(text)).Message);
    }

    [Fact]
    public void ALabelFitsOneDnsLabel()
    {
        using var publisher = Publisher.Generate();
        var id = publisher.Key.Id.ToString();
        Assert.Equal(31, id.Length);
        var label = new ProgramLabel(new string('a', ProgramName.MaxLength), publisher.Key.Id).ToString();
        Assert.Equal(63, label.Length);
        Assert.True(ProgramLabel.TryParse(label, out var parsed));
        Assert.Equal(publisher.Key.Id, parsed.Publisher);
        Assert.True(ProgramLabel.TryParse("my-site-" + id, out parsed));
        Assert.Equal("my-site", parsed.Name);
        Assert.False(ProgramLabel.TryParse("My-site-" + id, out _));
        Assert.False(ProgramLabel.TryParse("site" + id, out _));
        Assert.False(ProgramLabel.TryParse("-" + id, out _));
    }

    [Theory]
    [InlineData("site", null)]
    [InlineData("a1-b2", null)]
    [InlineData("", "cannot be empty")]
    [InlineData("Site", "lowercase letters, digits and hyphens")]
    [InlineData("a_b", "lowercase letters, digits and hyphens")]
    [InlineData("a.b", "lowercase letters, digits and hyphens")]
    [InlineData("../x", "lowercase letters, digits and hyphens")]
    [InlineData("-a", "start and end")]
    [InlineData("a-", "start and end")]
    [InlineData("xn--a", "two hyphens")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345", "at most 31")]
    public void ProgramNamesAreValidated(string name, string? message)
    {
        var error = ProgramName.Validate(name);
        if (message is null)
            Assert.Null(error);
        else
            Assert.Contains(message, error);
    }

    [Fact]
    public void KeyGenerationTakesMicroseconds()
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 100; i++)
            Publisher.Generate().Dispose();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"100 keys took {clock.Elapsed}");
    }

    [Fact]
    public void KeyFilesAreOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var dir = TempDirectory.Create();
        string path = Path.Combine(dir.Path, "cosec");
        using var publisher = Publisher.Generate();
        KeyFile.Write(path, publisher);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        using var read = KeyFile.Read(path);
        Assert.Equal(publisher.Key, read.Key);

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var e = Assert.Throws<IOException>(() => KeyFile.Read(path));
        Assert.Contains("chmod 600", e.Message);

        // Writing again replaces the file and makes it private again.
        KeyFile.Write(path, publisher);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }
}
