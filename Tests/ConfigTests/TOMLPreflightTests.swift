import Foundation
import Testing
@testable import Config

/// Inputs on which the toml++ inside TOMLKit 0.6.0 fails an assertion and aborts the process,
/// found by the fuzzer (Tests/Fuzz, target `config`; reproducers in Tests/Fuzz/crashes/config/).
/// Each must now be a refusal with a line and a column, like any other syntax error.
@Suite struct TOMLPreflightTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let text: String
        let line: Int
        let column: Int
        var testDescription: String { text.debugDescription }
    }

    static let abortingInputs: [Case] = [
        // A table name that starts with neither a bare-key character nor a quote.
        Case(text: "[\u{E9}]\n", line: 1, column: 2),
        Case(text: "[\u{FFFD}pio]\nchip = \"x\"\n", line: 1, column: 2),
        Case(text: "[bus]\nbatteries = 2\n[.thresholds]\n", line: 3, column: 2),
        Case(text: "[=]\n", line: 1, column: 2),
        Case(text: "[#]\n", line: 1, column: 2),
        Case(text: "[\n", line: 1, column: 2),
        Case(text: "[\r\n", line: 1, column: 2),
        Case(text: "[ \u{E9}]\n", line: 1, column: 3),
        Case(text: "[[\u{E9}]]\n", line: 1, column: 3),
        Case(text: "[[[a]]]\n", line: 1, column: 3),
        Case(text: "a = 1\n  [.b]\n", line: 2, column: 4),
        // A value whose characters look like a date-time but are out of order.
        Case(text: "v=1979-05-27T:", line: 1, column: 3),
        Case(text: "[bus]\ndevice = 1979-05-27T-07:00\n", line: 2, column: 10),
        Case(text: "a = [1979-05-27T:]\n", line: 1, column: 6),
        Case(text: "a = { b = 1979-05-27T: }\n", line: 1, column: 11),
        // No value where an array needs one.
        Case(text: "\"\"=[}", line: 1, column: 5),
        Case(text: "a = [1,,2]\n", line: 1, column: 8),
    ]

    @Test(arguments: abortingInputs)
    func inputThatAbortedTOMLKitIsRefusedWithLineAndColumn(_ input: Case) throws {
        let problem = try #require(onlyProblem(input.text))
        #expect(problem.line == input.line)
        #expect(problem.column == input.column)
        #expect(problem.message.hasPrefix("TOML syntax error: "))
    }

    @Test func namesTheOffendingCharacter() throws {
        let problem = try #require(onlyProblem("[bus]\n[.thresholds]\n"))
        #expect(problem.message == "TOML syntax error: a table name must start with a letter, a digit, '_', '-' or a quote, found '.'")
        let value = try #require(onlyProblem("[bus]\ndevice = 1979-05-27T:\n"))
        #expect(value.message.contains("'1979-05-27T:' is not a value"))
    }

    /// The pre-check must never refuse valid TOML 1.0: every form of the specification's examples.
    @Test func acceptsEveryFormOfValidTOML() {
        let valid = #"""
            \#u{FEFF}# a comment, a BOM before it
            title = "TOML \"Example\" \u00E9 \U0001F600"   # trailing comment
            bare_key-1 = 'C:\Users\nodejs\templates'
            "quoted key" = 1
            'literal key' = 2
            "" = 3
            site."google.com" = true
            fruit . color = "yellow"
            3.14159 = "pi"
            str1 = """
            Roses are red
            [not.a.table]
            Violets are blue\
              still the same line"""
            str2 = '''
            [.not.a.table]
            Here are fifteen quotation marks: """""""""""""""'''
            str3 = """Here are two quotation marks: "". Simple enough."""
            str4 = """"This," she said, "is just a pointless statement.""""
            str5 = ''''That,' she said, 'is still pointless.''''
            int1 = +99
            int2 = 42
            int3 = 0
            int4 = -17
            int5 = 1_000
            int6 = 5_349_221
            hex = 0xDEAD_beef
            oct = 0o755
            bin = 0b1101_0110
            flt1 = +1.0
            flt2 = 3.1415
            flt3 = -0.01
            flt4 = 5e+22
            flt5 = 1e06
            flt6 = -2E-2
            flt7 = 6.626e-34
            flt8 = 224_617.445_991_228
            sf1 = inf
            sf2 = +inf
            sf3 = -inf
            sf4 = nan
            sf5 = +nan
            sf6 = -nan
            zero = -0.0
            bool1 = true
            bool2 = false
            odt1 = 1979-05-27T07:32:00Z
            odt2 = 1979-05-27T00:32:00-07:00
            odt3 = 1979-05-27T00:32:00.999999-07:00
            odt4 = 1979-05-27 07:32:00Z
            odt5 = 1979-05-27t07:32:00z
            ldt1 = 1979-05-27T07:32:00
            ldt2 = 1979-05-27T00:32:00.999999
            ldt3 = 1979-05-27 00:32:00.5
            ld1 = 1979-05-27
            lt1 = 07:32:00
            lt2 = 00:32:00.999999
            integers = [ 1, 2, 3 ]
            nested = [ [ 1, 2 ], ["a", 'b', """c"""], [ { x = 1 }, {} ] ]
            multiline = [
              1,   # one
              2,
              # a comment on its own
              3,   # trailing comma next
            ]
            empty = []
            point = { x = 1, y = 2.5, "z" = { deep.er = 1979-05-27 } }
            blank = { }
            crlf = 1\#r

            [table-1]
            key1 = "some string"
            [ dog . "tater.man" ]
            type.name = "pug"
            ["quoted table"]
            [a.'b'.c]
            [[products]]
            name = "Hammer"
            [[ products ]]  # spaces inside the brackets
            [[fruits.varieties]]
            [_]
            [-]
            [0]
            """#
        #expect(TOMLPreflight.firstProblem(in: valid) == nil)
    }

    @Test func leavesOtherSyntaxErrorsToTOMLKit() throws {
        // toml++ reports these well: the pre-check must not stand in front of its messages.
        for text in ["[bus]\nbatteries 2\n", "a = \"open\n", "a = [1 2]\n", "a = 1 b\n", "[bus\n", "a = 07:32\n"] {
            if let problem = TOMLPreflight.firstProblem(in: text) {
                // Only the bare-value check may answer, and only for a bad bare value.
                #expect(problem.message.contains("is not a value"), "\(text.debugDescription): \(problem.message)")
            }
            let error = try #require(refused(text))
            #expect(error.problems.first?.message.hasPrefix("TOML syntax error: ") == true)
        }
    }

    @Test func sampleFileStillLoads() throws {
        let text = try String(contentsOfFile: samplePath, encoding: .utf8)
        #expect(TOMLPreflight.firstProblem(in: text) == nil)
    }
}
