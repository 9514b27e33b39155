import CHeap
import ArgumentParser
import Detection
import ListStore

#if canImport(Glibc)
import Glibc
#endif

/// Exit codes of the command line, named so that scripts can tell failures apart.
enum ExitStatus {
    /// Bad input data or config: fix the input and run again (sysexits EX_DATAERR).
    static let badInput = ExitCode(65)
    /// The list store could not be read or written (sysexits EX_IOERR).
    static let storeFailure = ExitCode(74)
}

/// A failure the user can act on, printed as one line on stderr.
enum CommandFailure: Error, CustomStringConvertible {
    case input(String)
    case store(String)

    var description: String {
        switch self {
        case .input(let message), .store(let message): message
        }
    }

    var exitCode: ExitCode {
        switch self {
        case .input: ExitStatus.badInput
        case .store: ExitStatus.storeFailure
        }
    }
}

/// Writes one line (or, with another terminator, a piece of one) to standard error.
func printError(_ line: String, terminator: String = "\n") {
    var standardError = StandardError()
    print(line, terminator: terminator, to: &standardError)
}

/// Standard error as a `TextOutputStream`.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { _ = string.withCString { Glibc.write(2, $0, strlen($0)) } }
}

extension CreditWatch {
    /// Runs the chosen command; failures the user can act on become one line on stderr
    /// and a named exit code, everything else goes to ArgumentParser's own handling.
    static func main() {
        _ = cw_heap_prefer_reuse_and_huge_pages(1 << 30)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CommandFailure {
            printError("creditwatch: error: \(failure)")
            Glibc.exit(failure.exitCode.rawValue)
        } catch let failure as StoreError {
            printError("creditwatch: error: \(failure)")
            Glibc.exit(failure.exitCode.rawValue)
        } catch let failure as ConfigError {
            printError("creditwatch: error: \(failure)")
            Glibc.exit(ExitStatus.badInput.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}
