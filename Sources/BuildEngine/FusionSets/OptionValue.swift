import Foundation

/// The value of one feature option as stored in a Fusion Set's JSON: a word, a number,
/// a list of words, or a map from host to a list of words.
public enum OptionValue: Sendable, Equatable, Codable {
    case string(String)
    case integer(Int)
    case list([String])
    case map([String: [String]])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self = .integer(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let items = try? container.decode([String].self) {
            self = .list(items)
        } else if let entries = try? container.decode([String: [String]].self) {
            self = .map(entries)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "an option value must be a string, an integer, a list of strings or a map of lists")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .string(text): try container.encode(text)
        case let .integer(number): try container.encode(number)
        case let .list(items): try container.encode(items)
        case let .map(entries): try container.encode(entries)
        }
    }

    /// How the value reads in messages and summaries: `ec-p256`, `365`, `a|b`, `host=p1|p2; host2=p3`.
    public var displayText: String {
        switch self {
        case let .string(text): return text
        case let .integer(number): return String(number)
        case let .list(items): return items.isEmpty ? "(none)" : items.joined(separator: "|")
        case let .map(entries):
            if entries.isEmpty { return "(none)" }
            return entries.keys.sorted().map { "\($0)=\(entries[$0]!.joined(separator: "|"))" }.joined(separator: "; ")
        }
    }

    public var stringValue: String? {
        if case let .string(text) = self { return text }
        return nil
    }

    public var integerValue: Int? {
        if case let .integer(number) = self { return number }
        return nil
    }

    public var listValue: [String]? {
        if case let .list(items) = self { return items }
        return nil
    }

    public var mapValue: [String: [String]]? {
        if case let .map(entries) = self { return entries }
        return nil
    }
}

/// The options of one feature inside a Fusion Set, keyed by option key.
public typealias FeatureOptions = [String: OptionValue]
