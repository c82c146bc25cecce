/// Reads the subset of smali that appseal's runtime is written in (see docs/dex-assembler.md): one
/// class per source, its fields, and methods built from the instructions `DexOpcode` lists.
///
/// Input is untrusted: sizes and counts are capped, numbers are range-checked, and every error names
/// the line and what was expected there.
public enum SmaliParser {
    /// Caps that keep hostile or runaway input from using unbounded memory or time.
    public static let maximumSourceBytes = 8 << 20
    public static let maximumTokensPerLine = 300
    public static let maximumMembersPerClass = 65535
    public static let maximumInstructionsPerMethod = 1 << 18

    public static func parseClass(_ source: String) throws(DexAssemblyError) -> DexClass {
        guard source.utf8.count <= maximumSourceBytes else {
            throw DexAssemblyError(line: nil, "smali source is larger than \(maximumSourceBytes) bytes")
        }
        var parser = ClassParser()
        var lineNumber = 0
        for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let tokens = try SmaliTokenizer.tokens(of: rawLine, line: lineNumber)
            if tokens.isEmpty { continue }
            try parser.consume(SmaliLine(number: lineNumber, tokens: tokens))
        }
        return try parser.finish(lastLine: lineNumber)
    }

    /// Assembles smali sources, one class each, into one DEX file.
    public static func assemble(_ sources: [String]) throws(DexAssemblyError) -> [UInt8] {
        var classes: [DexClass] = []
        for source in sources { classes.append(try parseClass(source)) }
        return try DexWriter.write(classes)
    }
}

enum SmaliToken: Hashable {
    case word(String)
    case string(String)
    case openBrace, closeBrace, comma, equals
}

struct SmaliLine {
    let number: Int
    let tokens: [SmaliToken]
}

enum SmaliTokenizer {
    static func tokens(of line: Substring, line number: Int) throws(DexAssemblyError) -> [SmaliToken] {
        var tokens: [SmaliToken] = []
        var scalars = line.unicodeScalars[...]
        var word = String.UnicodeScalarView()
        func flush() {
            if !word.isEmpty { tokens.append(.word(String(word))); word = String.UnicodeScalarView() }
        }
        while let scalar = scalars.popFirst() {
            switch scalar {
            case " ", "\t", "\r":
                flush()
            case "#":
                flush()
                scalars = scalars[scalars.endIndex...]
            case "{", "}", ",", "=":
                flush()
                tokens.append([
                    "{": SmaliToken.openBrace, "}": .closeBrace, ",": .comma, "=": .equals,
                ][scalar]!)
            case "\"":
                flush()
                tokens.append(.string(try stringLiteral(&scalars, line: number)))
            default:
                word.append(scalar)
            }
            if tokens.count > SmaliParser.maximumTokensPerLine {
                throw DexAssemblyError(line: number, "more than \(SmaliParser.maximumTokensPerLine) tokens on one line")
            }
        }
        flush()
        return tokens
    }

    /// The body of a "..." literal after its opening quote, with smali's escapes.
    private static func stringLiteral(_ scalars: inout Substring.UnicodeScalarView.SubSequence, line: Int) throws(DexAssemblyError) -> String {
        var units: [UInt16] = []
        while true {
            guard let scalar = scalars.popFirst() else {
                throw DexAssemblyError(line: line, "unterminated string literal: expected a closing \"")
            }
            if scalar == "\"" { break }
            guard scalar == "\\" else {
                units += Array(String(scalar).utf16)
                continue
            }
            guard let escaped = scalars.popFirst() else {
                throw DexAssemblyError(line: line, "unterminated escape at the end of a string literal")
            }
            switch escaped {
            case "n": units.append(0x0A)
            case "t": units.append(0x09)
            case "r": units.append(0x0D)
            case "b": units.append(0x08)
            case "f": units.append(0x0C)
            case "\"", "'", "\\": units.append(UInt16(escaped.value))
            case "u":
                var value: UInt16 = 0
                for _ in 0..<4 {
                    guard let digit = scalars.popFirst(), let nibble = hexValue(digit) else {
                        throw DexAssemblyError(line: line, "\\u must be followed by four hex digits")
                    }
                    value = value << 4 | UInt16(nibble)
                }
                units.append(value)
            default:
                throw DexAssemblyError(line: line, "unknown escape \\\(escaped) in a string literal")
            }
        }
        var decoded = String.UnicodeScalarView()
        for result in UTF16.decode(units) {
            guard let scalar = result else {
                throw DexAssemblyError(line: line, "string literal holds an unpaired UTF-16 surrogate")
            }
            decoded.append(scalar)
        }
        return String(decoded)
    }

    static func hexValue(_ scalar: Unicode.Scalar) -> Int? {
        switch scalar {
        case "0"..."9": Int(scalar.value - 48)
        case "a"..."f": Int(scalar.value - 87)
        case "A"..."F": Int(scalar.value - 55)
        default: nil
        }
    }
}

extension UTF16 {
    /// Code units to scalars, nil for each unpaired surrogate.
    fileprivate static func decode(_ units: [UInt16]) -> [Unicode.Scalar?] {
        var results: [Unicode.Scalar?] = []
        var decoder = UTF16()
        var iterator = units.makeIterator()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): results.append(scalar)
            case .emptyInput: break loop
            case .error: results.append(nil)
            }
        }
        return results
    }
}
