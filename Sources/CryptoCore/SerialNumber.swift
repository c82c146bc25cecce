import COpenSSL
import CAppsealShim
import Foundation

/// A certificate serial number: a (normally positive) integer of up to 20 octets.
public struct SerialNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Big-endian magnitude without leading zero bytes (one zero byte for the value 0).
    public let magnitude: Data
    public let isNegative: Bool

    /// Uppercase hex with an even number of digits, as `openssl x509 -serial` and `openssl crl -text` print it.
    public var hex: String {
        (isNegative ? "-" : "") + magnitude.hexString.uppercased()
    }

    public var description: String { hex }

    /// Accepts hex in either case, with optional colons, `0x` prefix and leading zeros.
    public init?(hex text: String) {
        var digits = text.trimmingCharacters(in: .whitespaces).filter { $0 != ":" }
        let negative = digits.hasPrefix("-")
        if negative { digits.removeFirst() }
        if digits.lowercased().hasPrefix("0x") { digits.removeFirst(2) }
        guard !digits.isEmpty, digits.count <= 80 else { return nil }
        if digits.count % 2 == 1 { digits = "0" + digits }
        guard let bytes = Data(hexString: digits) else { return nil }
        self.init(magnitude: bytes, isNegative: negative)
    }

    public init(magnitude bytes: Data, isNegative: Bool = false) {
        let trimmed = Data(bytes.drop { $0 == 0 })
        magnitude = trimmed.isEmpty ? Data([0]) : trimmed
        self.isNegative = isNegative && !trimmed.isEmpty
    }

    /// 128 random bits as a positive integer (top bit cleared so the DER needs no sign byte), never zero.
    public static func random() throws -> SerialNumber {
        while true {
            var bytes = try SecureRandom.bytes(16)
            bytes[bytes.startIndex] &= 0x7f
            let serial = SerialNumber(magnitude: bytes)
            // At least 120 significant bits, so every serial is unguessable and they sort uniformly.
            if serial.magnitude.count == 16 { return serial }
        }
    }

    init(reading integer: UnsafePointer<ASN1_INTEGER>) {
        let negative = integer.pointee.type & V_ASN1_NEG != 0
        self.init(magnitude: asn1StringBytes(integer), isNegative: negative)
    }

    /// A newly allocated ASN1_INTEGER the caller frees.
    func makeASN1Integer(_ operation: String) throws -> UnsafeMutablePointer<ASN1_INTEGER> {
        let bytes = [UInt8](magnitude)
        let number = try require(BN_bin2bn(bytes, Int32(bytes.count), nil), operation)
        defer { BN_free(number) }
        if isNegative { BN_set_negative(number, 1) }
        return try require(BN_to_ASN1_INTEGER(number, nil), operation)
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = SerialNumber(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a hex serial number"))
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
