/// The directive and instruction grammar of one smali class, fed one tokenized line at a time.
struct ClassParser {
    private var definition: DexClass?
    private var method: MethodParser?
    private var classLine = 0
    private var seenSuper = false
    /// Whether the previous directive was `.param`, which may be closed by `.end param`.
    private var openParam = false

    mutating func consume(_ line: SmaliLine) throws(DexAssemblyError) {
        var reader = TokenReader(line: line)
        let head = try reader.word("a directive or an instruction")
        if method != nil {
            try consumeInMethod(head, &reader)
            return
        }
        switch head {
        case ".class":
            guard definition == nil else { throw reader.error("a second .class; one class per source") }
            let flags = try reader.accessFlags(allowed: Self.classFlags)
            let descriptor = try reader.classDescriptor()
            try reader.end()
            definition = DexClass(descriptor: descriptor, accessFlags: flags, superclass: nil)
            classLine = line.number
        case ".super":
            try requireClass(&reader)
            guard !seenSuper else { throw reader.error("a second .super") }
            definition?.superclass = try reader.classDescriptor()
            seenSuper = true
            try reader.end()
        case ".implements":
            try requireClass(&reader)
            let interface = try reader.classDescriptor()
            try reader.end()
            guard definition?.interfaces.contains(interface) == false else { throw reader.error("\(interface) is implemented twice") }
            definition?.interfaces.append(interface)
        case ".source":
            try requireClass(&reader)
            guard definition?.sourceFile == nil else { throw reader.error("a second .source") }
            definition?.sourceFile = try reader.string("the source file name")
            try reader.end()
        case ".field":
            try requireClass(&reader)
            let flags = try reader.accessFlags(allowed: Self.fieldFlags)
            let member = try reader.word("name:Type")
            guard let colon = member.firstIndex(of: ":") else { throw reader.error("expected name:Type, found \(member)") }
            let name = String(member[..<colon])
            let type = String(member[member.index(after: colon)...])
            guard DexTypeDescriptor.isValid(type) else { throw reader.error("invalid field type \(type)") }
            if reader.peek == .equals {
                throw reader.error("initial field values are not supported; assign the field in <clinit> or a constructor")
            }
            try reader.end()
            try checkMemberCount(reader)
            definition?.fields.append(DexField(name: name, type: type, accessFlags: flags))
        case ".method":
            try requireClass(&reader)
            let flags = try reader.accessFlags(allowed: Self.methodFlags)
            let (name, prototype) = try reader.methodSignature()
            try reader.end()
            try checkMemberCount(reader)
            let isStatic = flags.contains(.static)
            method = MethodParser(name: name, prototype: prototype, flags: flags, isStatic: isStatic, line: line.number)
        case ".end":
            throw reader.error(".end outside a method (fields take no .end field: annotations are not supported)")
        default:
            throw reader.error("expected .class, .super, .implements, .source, .field or .method, found \(head)")
        }
    }

    private mutating func consumeInMethod(_ head: String, _ reader: inout TokenReader) throws(DexAssemblyError) {
        if head == ".end" {
            let what = try reader.word("method or param after .end")
            try reader.end()
            if what == "param" && openParam {
                openParam = false
                return
            }
            guard what == "method", let finished = method else { throw reader.error("expected .end method, found .end \(what)") }
            definition?.methods.append(try finished.finish(endLine: reader.lineNumber))
            method = nil
            openParam = false
            return
        }
        openParam = head == ".param"
        try method?.consume(head, &reader)
    }

    private func requireClass(_ reader: inout TokenReader) throws(DexAssemblyError) {
        guard definition != nil else { throw reader.error("expected .class before other directives") }
    }

    private func checkMemberCount(_ reader: TokenReader) throws(DexAssemblyError) {
        let count = (definition?.fields.count ?? 0) + (definition?.methods.count ?? 0)
        guard count < SmaliParser.maximumMembersPerClass else {
            throw reader.error("more than \(SmaliParser.maximumMembersPerClass) fields and methods in one class")
        }
    }

    func finish(lastLine: Int) throws(DexAssemblyError) -> DexClass {
        guard var definition else { throw DexAssemblyError(line: lastLine, "expected a .class directive; the source has none") }
        if let method { throw DexAssemblyError(line: method.line, "method \(method.name) has no .end method") }
        guard seenSuper || definition.descriptor == "Ljava/lang/Object;" else {
            throw DexAssemblyError(line: classLine, "class \(definition.descriptor) has no .super")
        }
        if definition.descriptor == "Ljava/lang/Object;" { definition.superclass = nil }
        return definition
    }

    static let classFlags: Set<String> = ["public", "private", "protected", "static", "final", "interface", "abstract", "synthetic", "annotation", "enum"]
    static let fieldFlags: Set<String> = ["public", "private", "protected", "static", "final", "volatile", "transient", "synthetic", "enum"]
    static let methodFlags: Set<String> = [
        "public", "private", "protected", "static", "final", "synchronized", "bridge", "varargs", "native", "abstract",
        "strictfp", "synthetic", "constructor", "declared-synchronized",
    ]
}

/// Walks the tokens of one line, producing errors that name the line and what was expected.
struct TokenReader {
    private let tokens: [SmaliToken]
    private var position = 0
    let lineNumber: Int

    init(line: SmaliLine) {
        tokens = line.tokens
        lineNumber = line.number
    }

    var peek: SmaliToken? { position < tokens.count ? tokens[position] : nil }
    var atEnd: Bool { position == tokens.count }

    func error(_ reason: String) -> DexAssemblyError { DexAssemblyError(line: lineNumber, reason) }

    private func describe(_ token: SmaliToken?) -> String {
        switch token {
        case nil: "the end of the line"
        case .word(let word): word
        case .string(let value): "a string \"\(value.prefix(40))\""
        case .openBrace: "{"
        case .closeBrace: "}"
        case .comma: ","
        case .equals: "="
        }
    }

    mutating func word(_ expected: String) throws(DexAssemblyError) -> String {
        guard case .word(let word) = peek else { throw error("expected \(expected), found \(describe(peek))") }
        position += 1
        return word
    }

    mutating func string(_ expected: String) throws(DexAssemblyError) -> String {
        guard case .string(let value) = peek else { throw error("expected \(expected) as a \"string\", found \(describe(peek))") }
        position += 1
        return value
    }

    mutating func expect(_ token: SmaliToken) throws(DexAssemblyError) {
        guard peek == token else { throw error("expected \(describe(token)), found \(describe(peek))") }
        position += 1
    }

    mutating func comma() throws(DexAssemblyError) { try expect(.comma) }

    mutating func end() throws(DexAssemblyError) {
        guard atEnd else { throw error("expected the end of the line, found \(describe(peek))") }
    }

    /// Access-flag keywords up to the first word that is not one.
    mutating func accessFlags(allowed: Set<String>) throws(DexAssemblyError) -> DexAccessFlags {
        var flags = DexAccessFlags()
        while case .word(let word) = peek, let flag = DexAccessFlags.keywords[word] {
            guard allowed.contains(word) else { throw error("access flag \(word) is not allowed here") }
            flags.insert(flag)
            position += 1
        }
        return flags
    }

    mutating func classDescriptor() throws(DexAssemblyError) -> String {
        let descriptor = try word("a class descriptor (Lpackage/Name;)")
        guard DexTypeDescriptor.isClass(descriptor) else { throw error("expected a class descriptor (Lpackage/Name;), found \(descriptor)") }
        return descriptor
    }

    mutating func typeDescriptor() throws(DexAssemblyError) -> String {
        let descriptor = try word("a type descriptor")
        guard DexTypeDescriptor.isValid(descriptor) else { throw error("expected a type descriptor, found \(descriptor)") }
        return descriptor
    }

    /// `name(Params)Return`, as written after `.method` and after `->` in a method reference.
    mutating func methodSignature() throws(DexAssemblyError) -> (String, DexPrototype) {
        let text = try word("name(Parameters)ReturnType")
        return try Self.methodSignature(text, error: error)
    }

    static func methodSignature(_ text: String, error: (String) -> DexAssemblyError) throws(DexAssemblyError) -> (String, DexPrototype) {
        guard let open = text.firstIndex(of: "("), let close = text.firstIndex(of: ")"), open < close else {
            throw error("expected name(Parameters)ReturnType, found \(text)")
        }
        let name = String(text[..<open])
        guard !name.isEmpty else { throw error("a method needs a name before (") }
        var parameters: [String] = []
        var rest = text[text.index(after: open)..<close]
        while !rest.isEmpty {
            var end = rest.startIndex
            while end < rest.endIndex, rest[end] == "[" { end = rest.index(after: end) }
            guard end < rest.endIndex else { throw error("parameter list of \(name) ends inside an array type") }
            if rest[end] == "L" {
                guard let semicolon = rest[end...].firstIndex(of: ";") else { throw error("class type in the parameters of \(name) lacks its ;") }
                end = semicolon
            }
            let descriptor = String(rest[...end])
            guard DexTypeDescriptor.isValid(descriptor) else { throw error("invalid parameter type \(descriptor) of \(name)") }
            parameters.append(descriptor)
            rest = rest[rest.index(after: end)...]
        }
        let returnType = String(text[text.index(after: close)...])
        guard DexTypeDescriptor.isValid(returnType, allowVoid: true) else { throw error("invalid return type \(returnType) of \(name)") }
        return (name, DexPrototype(returnType: returnType, parameters: parameters))
    }

    mutating func fieldReference() throws(DexAssemblyError) -> DexFieldReference {
        let text = try word("a field reference (Lpackage/Owner;->name:Type)")
        guard let arrow = text.firstRange(of: ";->") else { throw error("expected Lpackage/Owner;->name:Type, found \(text)") }
        let owner = String(text[..<arrow.lowerBound]) + ";"
        let member = text[arrow.upperBound...]
        guard let colon = member.firstIndex(of: ":") else { throw error("expected ->name:Type in \(text)") }
        let type = String(member[member.index(after: colon)...])
        guard DexTypeDescriptor.isClass(owner) else { throw error("invalid owner \(owner) in \(text)") }
        guard DexTypeDescriptor.isValid(type) else { throw error("invalid field type \(type) in \(text)") }
        return DexFieldReference(definingClass: owner, name: String(member[..<colon]), type: type)
    }

    mutating func methodReference() throws(DexAssemblyError) -> DexMethodReference {
        let text = try word("a method reference (Lpackage/Owner;->name(Params)Return)")
        guard let arrow = text.firstRange(of: ";->") else { throw error("expected Lpackage/Owner;->name(Params)Return, found \(text)") }
        let owner = String(text[..<arrow.lowerBound]) + ";"
        guard DexTypeDescriptor.isValid(owner), owner.hasPrefix("L") || owner.hasPrefix("[") else {
            throw error("invalid owner \(owner) in \(text)")
        }
        let (name, prototype) = try Self.methodSignature(String(text[arrow.upperBound...]), error: error)
        return DexMethodReference(definingClass: owner, name: name, prototype: prototype)
    }

    mutating func label() throws(DexAssemblyError) -> String {
        let text = try word("a label (:name)")
        guard text.count > 1, text.hasPrefix(":") else { throw error("expected a label (:name), found \(text)") }
        return String(text.dropFirst())
    }

    /// An integer literal: decimal or 0x hex, optional sign, optional L/t/s suffix (long/byte/short).
    /// Unsigned hex that fits `reinterpretBits` (e.g. 0xFFFFFFFF for an int) is read as its bit pattern.
    mutating func integer(reinterpretBits: Int?) throws(DexAssemblyError) -> Int64 {
        var text = Substring(try word("an integer literal"))
        let original = text
        let negative = text.hasPrefix("-")
        if negative || text.hasPrefix("+") { text = text.dropFirst() }
        if let last = text.last, "LlTtSs".contains(last) { text = text.dropLast() }
        var radix = 10
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            radix = 16
            text = text.dropFirst(2)
        }
        guard !text.isEmpty, text.count <= 20, let magnitude = UInt64(text, radix: radix) else {
            throw error("expected an integer literal, found \(original)")
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw error("integer literal \(original) is out of range") }
            return magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)
        }
        if radix == 16, let bits = reinterpretBits, bits < 64, magnitude < UInt64(1) << bits, magnitude >= UInt64(1) << (bits - 1) {
            return Int64(magnitude) - (Int64(1) << bits)
        }
        guard let value = Int64(exactly: magnitude) else {
            guard radix == 16 else { throw error("integer literal \(original) is out of range") }
            return Int64(bitPattern: magnitude)
        }
        return value
    }
}
