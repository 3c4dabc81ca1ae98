using System.Text;
using Coputer.Network.Broadcast;
using Coputer.Platform;
using Coputer.Platform.Identity;
using Coputer.Platform.Records;

namespace Coputer.Network.Tests;

public class RecordBookTests
{
    private static readonly Publisher s_publisher = Publisher.FromSeed(Hash256.Of("record-book-test-publisher"u8).ToArray());

    private static SignedRecord Record(string name, long sequence, string program) =>
        new PublicationRecord(s_publisher.Key, name, Hash256.Of(Encoding.UTF8.GetBytes(program)), sequence).Sign(s_publisher);

    [Fact]
    public void OneEquivocationIsOneProofHoweverOftenAndInWhicheverOrderItsRecordsArrive()
    {
        var book = new RecordBook();
        var left = Record("app", 3, "left");
        var right = Record("app", 3, "right");
        Assert.True(book.Apply(left));
        Assert.False(book.Apply(right));
        Assert.False(book.Apply(right));
        Assert.False(book.Apply(left)); // the same record again is no news
        var proof = Assert.Single(book.Equivocations);
        Assert.Equal(left.Record.Program, proof.First.Record.Program);
        Assert.Equal(right.Record.Program, proof.Second.Record.Program);
        Assert.Equal(s_publisher.Key, Assert.Single(book.Equivocators));

        // A third program under the same sequence is a second proof; a higher sequence is an ordinary update.
        Assert.False(book.Apply(Record("app", 3, "third")));
        Assert.Equal(2, book.Equivocations.Count);
        Assert.True(book.Apply(Record("app", 4, "fourth")));
        Assert.Equal(2, book.Equivocations.Count);
        Assert.Equal(Hash256.Of("fourth"u8), book.Resolve(s_publisher.Key, "app"));
    }

    [Fact]
    public void ProofsAreCappedAndTheRestCounted()
    {
        var book = new RecordBook();
        Assert.True(book.Apply(Record("flood", 1, "first")));
        int extra = 20;
        for (int i = 0; i < RecordBook.MaxEquivocations + extra; i++)
            book.Apply(Record("flood", 1, "other" + i));
        Assert.Equal(RecordBook.MaxEquivocations, book.Equivocations.Count);
        Assert.Equal(extra, book.EquivocationsDropped);
    }
}
