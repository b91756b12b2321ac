import RuleBase
import Testing

@Suite struct ExactDecimalTests {
    @Test func sumsHaveNoBinaryRounding() throws {
        let a = try #require(ExactDecimal("1.25"))
        let b = try #require(ExactDecimal("0.1"))
        #expect(a.adding(b) == ExactDecimal("1.35"))
        #expect(a.adding(b)?.description == "1.35")
    }

    @Test func normalisesTrailingZeros() {
        #expect(ExactDecimal("2.50") == ExactDecimal("2.5"))
        #expect(ExactDecimal("2.000")?.description == "2")
        #expect(ExactDecimal("-0.0")?.description == "0")
    }

    @Test(arguments: ["", "1.", ".5", "1e3", "1,5", "abc", "--1", "0.0000000001"])
    func rejectsInvalidText(text: String) {
        #expect(ExactDecimal(text) == nil)
    }

    @Test func comparesAcrossScales() throws {
        #expect(try #require(ExactDecimal("1.9")) < ExactDecimal(2))
        #expect(ExactDecimal(2) == ExactDecimal("2.0"))
    }

    @Test func overflowIsReportedNotWrapped() throws {
        let big = try #require(ExactDecimal("9223372036854775807"))
        #expect(big.adding(ExactDecimal(1)) == nil)
    }

    @Test func divisionRoundsHalfEven() throws {
        #expect(ExactDecimal(1).dividing(by: ExactDecimal(3), scale: 2)?.description == "0.33")
        #expect(ExactDecimal(5).dividing(by: ExactDecimal(2), scale: 0)?.description == "2")
        #expect(ExactDecimal(7).dividing(by: ExactDecimal(2), scale: 0)?.description == "4")
        #expect(ExactDecimal(1).dividing(by: .zero) == nil)
    }
}
