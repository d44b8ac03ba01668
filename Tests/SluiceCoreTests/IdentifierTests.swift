import Testing
import SluiceCore

@Suite struct IdentifierTests {
    /// Ids are version-7 UUIDs in time order, and their random bits (drawn from `RandomPool`, 512 draws a refill)
    /// repeat nowhere across many refills and several threads.
    @Test func idsAreTimeOrderedVersion7AndNeverRepeat() async {
        let batches = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { (0..<50_000).map { _ in Identifier.make() } } }
            var all: [[String]] = []
            for await batch in group { all.append(batch) }
            return all
        }
        let ids = batches.flatMap { $0 }
        #expect(Set(ids).count == 200_000)
        #expect(ids.allSatisfy { Identifier.isValid($0) && Array($0.utf8)[14] == UInt8(ascii: "7") && "89ab".utf8.contains(Array($0.utf8)[19]) })
        for batch in batches {
            #expect(zip(batch, batch.dropFirst()).allSatisfy { $0.prefix(13) <= $1.prefix(13) }, "milliseconds first: ids sort by time")
        }
        // The random part is not constant: its 16 hex digits take many values in each position.
        let tails = ids.prefix(1000).map { Array($0.utf8.suffix(12)) }
        for position in 0..<12 { #expect(Set(tails.map { $0[position] }).count >= 12) }
    }
}
