import RuleBase
import RuleEngine
import RuleIR
import RuleTestSupport
import Testing

/// The execution log's hash chain, in memory: sealing in batches gives the same chain as
/// sealing at once, each entry's hash is what a verifier recomputes, and the links hold.
@Suite struct LogChainSealingTests {
    static func batch(seed: UInt64) throws -> EvaluationBatch {
        let evaluator = Evaluator(ruleVersions: [try Fixtures.loaded()])
        var rng = SplitMix64(seed: seed)
        return evaluator.evaluate(document: DeterminismTests.population(&rng), asOf: Fixtures.date("2026-06-01"))
    }

    @Test func sealedEntriesCarryTheirHashAndLinkInOrder() throws {
        let first = try Self.batch(seed: 3), second = try Self.batch(seed: 4)
        var chain = LogChain()
        let sealed = chain.seal(first).values + chain.seal(second).values
        #expect(sealed.count == first.logLines.count + second.logLines.count)
        #expect(chain.count == sealed.count)
        var previous = LogChain.genesis
        var verifier = LogChainVerifier()
        for (index, entry) in sealed.enumerated() {
            #expect(entry["entry_sequence"] == .int(index + 1))
            #expect(entry["entry_previous_sha256"]?.stringValue == previous)
            #expect(entry["entry_sha256"]?.stringValue == LogChain.entryHash(of: entry))
            #expect(LogChain.problems(in: entry).isEmpty, "\(LogChain.problems(in: entry))")
            #expect(verifier.check(entry, line: index + 1).isEmpty)
            previous = entry["entry_sha256"]?.stringValue ?? ""
        }
        #expect(chain.head == previous)
        #expect(verifier.finish(manifestEntries: sealed.count, manifestHead: chain.head).isEmpty)

        // Sealing the two batches as one gives the same bytes.
        var merged = first
        merged.append(second)
        var once = LogChain()
        var twice = LogChain()
        let inTwo = twice.seal(first).bytes + twice.seal(second).bytes
        #expect(once.seal(merged).bytes == inTwo)
    }

    @Test func sealingKeepsTheEvaluatedRowAndOnlyAddsTheChainFields() throws {
        let batch = try Self.batch(seed: 5)
        var chain = LogChain()
        for (sealed, plain) in zip(chain.seal(batch).values, batch.logs) {
            let members = (sealed.objectMembers ?? []).filter { !$0.0.hasPrefix("entry_") }
            #expect(JSONValue.object(members).canonicalBytes == plain.canonicalBytes)
        }
    }

    @Test func anEditedFieldIsNamed() throws {
        let batch = try Self.batch(seed: 6)
        var chain = LogChain()
        let entry = try #require(chain.seal(batch).values.first)
        guard case .object(var members) = entry, let index = members.firstIndex(where: { $0.0 == "rule_type" }) else {
            Issue.record("no rule_type"); return
        }
        members[index].1 = .string("US-XX/other")
        let problems = LogChain.problems(in: .object(members))
        #expect(problems.contains { $0.hasPrefix("rule_type ") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("entry_sha256 does not match") })
    }
}
