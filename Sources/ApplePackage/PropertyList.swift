import Foundation

/// A property list value as plain Swift data, so inspections are Codable and Sendable.
/// JSON shows it naturally: data as base64, dates as ISO 8601 strings.
public indirect enum PropertyListValue: Sendable, Equatable, Codable, CustomStringConvertible {
    case string(String)
    case integer(Int64)
    case real(Double)
    case boolean(Bool)
    case date(Date)
    case data([UInt8])
    case array([PropertyListValue])
    case dictionary([String: PropertyListValue])

    public var string: String? { if case let .string(value) = self { value } else { nil } }
    public var boolean: Bool? { if case let .boolean(value) = self { value } else { nil } }
    public var array: [PropertyListValue]? { if case let .array(value) = self { value } else { nil } }
    public var dictionary: [String: PropertyListValue]? { if case let .dictionary(value) = self { value } else { nil } }
    public var date: Date? { if case let .date(value) = self { value } else { nil } }
    public var data: [UInt8]? { if case let .data(value) = self { value } else { nil } }
    public var integer: Int64? { if case let .integer(value) = self { value } else { nil } }

    public subscript(key: String) -> PropertyListValue? { dictionary?[key] }

    /// Strings of an array value, skipping anything that is not a string.
    public var strings: [String] { array?.compactMap(\.string) ?? [] }

    public var description: String {
        switch self {
        case let .string(value): return value
        case let .integer(value): return String(value)
        case let .real(value): return String(value)
        case let .boolean(value): return value ? "true" : "false"
        case let .date(value): return ISO8601DateFormatter().string(from: value)
        case let .data(value): return "<\(value.count) bytes>"
        case let .array(values): return "[" + values.map(\.description).joined(separator: ", ") + "]"
        case let .dictionary(values):
            return "{" + values.keys.sorted().map { "\($0) = \(values[$0]!.description)" }.joined(separator: "; ") + "}"
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .string(value): try container.encode(value)
        case let .integer(value): try container.encode(value)
        case let .real(value):
            // JSON has no infinities or NaN; keep them readable instead of failing the whole document.
            if value.isFinite { try container.encode(value) } else { try container.encode(String(value)) }
        case let .boolean(value): try container.encode(value)
        case let .date(value): try container.encode(ISO8601DateFormatter().string(from: value))
        case let .data(value): try container.encode(Data(value).base64EncodedString())
        case let .array(values): try container.encode(values)
        case let .dictionary(values): try container.encode(values)
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) { self = .boolean(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .real(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([PropertyListValue].self) { self = .array(value) }
        else { self = .dictionary(try container.decode([String: PropertyListValue].self)) }
    }
}

/// Reads XML and binary property lists through Foundation, converting to `PropertyListValue`.
///
/// Foundation on Linux rejects the malformed fixtures (circular references, bad offset tables,
/// fuzzer crashes) with an error rather than crashing; its output is still walked with a depth cap.
public enum PropertyList {
    static let maximumDepth = 64

    public static func read(_ bytes: some Collection<UInt8>) throws(ApplePackageError) -> PropertyListValue {
        let data = Data(bytes)
        let object: Any
        do {
            object = try PropertyListSerialization.propertyList(from: data, options: [], format: nil)
        } catch {
            let kind = data.starts(with: Array("bplist".utf8)) ? "binary" : "XML"
            throw .invalidPropertyList(reason: "not a readable \(kind) property list (\((error as NSError).localizedDescription))")
        }
        return try convert(object, depth: 0)
    }

    /// A property list whose top level must be a dictionary (Info.plist, profiles, entitlements).
    public static func readDictionary(_ bytes: some Collection<UInt8>) throws(ApplePackageError) -> [String: PropertyListValue] {
        let value = try read(bytes)
        guard let dictionary = value.dictionary else {
            throw .invalidPropertyList(reason: "the top level is not a dictionary")
        }
        return dictionary
    }

    private static func convert(_ object: Any, depth: Int) throws(ApplePackageError) -> PropertyListValue {
        guard depth <= maximumDepth else {
            throw .invalidPropertyList(reason: "nested deeper than \(maximumDepth) levels")
        }
        // Foundation on Linux hands booleans back as Swift Bool and every other number as NSNumber.
        if type(of: object) == Bool.self, let value = object as? Bool { return .boolean(value) }
        switch object {
        case let value as String: return .string(value)
        case let value as Date: return .date(value)
        case let value as Data: return .data([UInt8](value))
        case let value as [Any]:
            var items: [PropertyListValue] = []
            for item in value { items.append(try convert(item, depth: depth + 1)) }
            return .array(items)
        case let value as [AnyHashable: Any]:
            var items: [String: PropertyListValue] = [:]
            for (key, item) in value {
                guard let name = key.base as? String else {
                    throw .invalidPropertyList(reason: "a dictionary key is not a string")
                }
                items[name] = try convert(item, depth: depth + 1)
            }
            return .dictionary(items)
        case let value as NSNumber:
            switch String(cString: value.objCType) {
            case "d", "f": return .real(value.doubleValue)
            case "c", "B": return .boolean(value.boolValue)
            case "Q":
                guard let fitting = Int64(exactly: value.uint64Value) else { return .real(value.doubleValue) }
                return .integer(fitting)
            default: return .integer(value.int64Value)
            }
        default:
            // NSKeyedArchiver UIDs and other CF types that property lists for apps never contain.
            return .string(String(describing: object))
        }
    }
}
