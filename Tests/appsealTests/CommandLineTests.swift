import Foundation
import Testing
import TestSupport

@Suite("Command line")
struct CommandLineTests {
    @Test func versionPrintsTheVersion() throws {
        let result = try ProcessRunner.appseal(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("appseal "))
    }

    @Test func rootHelpHasEverySection() throws {
        let result = try ProcessRunner.appseal(["--help"])
        #expect(result.status == 0)
        for section in ["OVERVIEW:", "USAGE: appseal", "OPTIONS:", "--workspace <dir>"] {
            #expect(result.stdout.contains(section), "help lacks \(section)")
        }
    }

    @Test func unknownCommandIsAUsageError() throws {
        let result = try ProcessRunner.appseal(["no-such-command"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("unknown command 'no-such-command'"))
        #expect(result.stderr.contains("usage: appseal"))
    }

    @Test func unknownOptionIsAUsageError() throws {
        let result = try ProcessRunner.appseal(["--frobnicate"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("unknown option '--frobnicate'"))
    }

    @Test func helpCommandOfUnknownNameFails() throws {
        let result = try ProcessRunner.appseal(["help", "nothing-here"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("unknown command 'nothing-here'"))
    }
}
