/// The program a DEX file holds, as the smali parser produces it and `DexWriter` lays it out.
///
/// References are symbolic (descriptors and names); the writer collects them, sorts the pools the way
/// the DEX format requires and only then assigns the indices that instructions encode.

/// A field as instructions name it: `Lcom/x/Owner;->name:Type`.
public struct DexFieldReference: Hashable, Sendable {
    public var definingClass: String
    public var name: String
    public var type: String

    public init(definingClass: String, name: String, type: String) {
        self.definingClass = definingClass
        self.name = name
        self.type = type
    }
}

/// A method's parameter and return types.
public struct DexPrototype: Hashable, Sendable {
    public var returnType: String
    public var parameters: [String]

    public init(returnType: String, parameters: [String]) {
        self.returnType = returnType
        self.parameters = parameters
    }

    /// The shorty descriptor: every reference type (object or array) becomes `L`.
    var shorty: String {
        ([returnType] + parameters).map { descriptor in
            let first = descriptor.first ?? "V"
            return first == "[" ? "L" : String(first)
        }.joined()
    }

    /// Registers the parameters occupy (long and double take two).
    var parameterWords: Int {
        parameters.reduce(0) { $0 + DexTypeDescriptor.registerWidth($1) }
    }
}

/// A method as instructions name it: `Lcom/x/Owner;->name(Params)Return`.
public struct DexMethodReference: Hashable, Sendable {
    public var definingClass: String
    public var name: String
    public var prototype: DexPrototype

    public init(definingClass: String, name: String, prototype: DexPrototype) {
        self.definingClass = definingClass
        self.name = name
        self.prototype = prototype
    }
}

/// Access flags of classes, fields and methods, with the bit values of the DEX format.
public struct DexAccessFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let `public` = DexAccessFlags(rawValue: 0x1)
    public static let `private` = DexAccessFlags(rawValue: 0x2)
    public static let protected = DexAccessFlags(rawValue: 0x4)
    public static let `static` = DexAccessFlags(rawValue: 0x8)
    public static let final = DexAccessFlags(rawValue: 0x10)
    public static let synchronized = DexAccessFlags(rawValue: 0x20)
    public static let volatile = DexAccessFlags(rawValue: 0x40)
    public static let bridge = DexAccessFlags(rawValue: 0x40)
    public static let transient = DexAccessFlags(rawValue: 0x80)
    public static let varargs = DexAccessFlags(rawValue: 0x80)
    public static let native = DexAccessFlags(rawValue: 0x100)
    public static let interface = DexAccessFlags(rawValue: 0x200)
    public static let abstract = DexAccessFlags(rawValue: 0x400)
    public static let strict = DexAccessFlags(rawValue: 0x800)
    public static let synthetic = DexAccessFlags(rawValue: 0x1000)
    public static let annotation = DexAccessFlags(rawValue: 0x2000)
    public static let `enum` = DexAccessFlags(rawValue: 0x4000)
    public static let constructor = DexAccessFlags(rawValue: 0x10000)
    public static let declaredSynchronized = DexAccessFlags(rawValue: 0x20000)

    /// The smali keyword of each flag. `volatile`/`bridge` and `transient`/`varargs` share bits; which
    /// keyword is valid depends on whether it is written on a field or a method.
    static let keywords: [String: DexAccessFlags] = [
        "public": .public, "private": .private, "protected": .protected, "static": .static,
        "final": .final, "synchronized": .synchronized, "volatile": .volatile, "bridge": .bridge,
        "transient": .transient, "varargs": .varargs, "native": .native, "interface": .interface,
        "abstract": .abstract, "strictfp": .strict, "synthetic": .synthetic, "annotation": .annotation,
        "enum": .enum, "constructor": .constructor, "declared-synchronized": .declaredSynchronized,
    ]
}

public struct DexField: Hashable, Sendable {
    public var name: String
    public var type: String
    public var accessFlags: DexAccessFlags

    public init(name: String, type: String, accessFlags: DexAccessFlags) {
        self.name = name
        self.type = type
        self.accessFlags = accessFlags
    }
}

/// One handler of a try range: a typed catch, or the catch-all when `exceptionType` is nil.
public struct DexCatch: Hashable, Sendable {
    public var exceptionType: String?
    /// Label names, resolved when the method is encoded.
    public var startLabel: String
    public var endLabel: String
    public var handlerLabel: String
    public var line: Int

    public init(exceptionType: String?, startLabel: String, endLabel: String, handlerLabel: String, line: Int) {
        self.exceptionType = exceptionType
        self.startLabel = startLabel
        self.endLabel = endLabel
        self.handlerLabel = handlerLabel
        self.line = line
    }
}

/// A method body: register count, instructions with their labels, and try/catch ranges.
public struct DexCode: Hashable, Sendable {
    public var registerCount: Int
    public var instructions: [DexInstruction]
    /// Label name → index of the instruction it precedes (`instructions.count` for a label at the end).
    public var labels: [String: Int]
    public var catches: [DexCatch]

    public init(registerCount: Int, instructions: [DexInstruction], labels: [String: Int], catches: [DexCatch]) {
        self.registerCount = registerCount
        self.instructions = instructions
        self.labels = labels
        self.catches = catches
    }
}

public struct DexMethod: Hashable, Sendable {
    public var name: String
    public var prototype: DexPrototype
    public var accessFlags: DexAccessFlags
    /// Nil for abstract and native methods.
    public var code: DexCode?

    public init(name: String, prototype: DexPrototype, accessFlags: DexAccessFlags, code: DexCode?) {
        self.name = name
        self.prototype = prototype
        self.accessFlags = accessFlags
        self.code = code
    }

    /// Direct methods (static, private, constructors) are called without virtual dispatch and are
    /// listed apart from virtual ones in class_data.
    var isDirect: Bool {
        accessFlags.contains(.static) || accessFlags.contains(.private) || accessFlags.contains(.constructor)
            || name == "<init>" || name == "<clinit>"
    }

    /// Registers holding the arguments on entry: `this` (unless static) then the parameters.
    var incomingWords: Int {
        prototype.parameterWords + (accessFlags.contains(.static) ? 0 : 1)
    }
}

public struct DexClass: Hashable, Sendable {
    public var descriptor: String
    public var accessFlags: DexAccessFlags
    /// Nil only for `Ljava/lang/Object;` itself.
    public var superclass: String?
    public var interfaces: [String]
    public var sourceFile: String?
    public var fields: [DexField]
    public var methods: [DexMethod]

    public init(
        descriptor: String, accessFlags: DexAccessFlags, superclass: String?, interfaces: [String] = [],
        sourceFile: String? = nil, fields: [DexField] = [], methods: [DexMethod] = []
    ) {
        self.descriptor = descriptor
        self.accessFlags = accessFlags
        self.superclass = superclass
        self.interfaces = interfaces
        self.sourceFile = sourceFile
        self.fields = fields
        self.methods = methods
    }
}

/// Checks on type descriptors shared by the parser and the writer.
enum DexTypeDescriptor {
    /// 255 is the DEX format's limit on array dimensions.
    static let maximumArrayDimensions = 255

    static func registerWidth(_ descriptor: String) -> Int {
        descriptor == "J" || descriptor == "D" ? 2 : 1
    }

    /// Whether `descriptor` is a valid field/parameter type (`V` only when `allowVoid`).
    static func isValid(_ descriptor: String, allowVoid: Bool = false) -> Bool {
        var scalars = Substring(descriptor).unicodeScalars[...]
        var dimensions = 0
        while scalars.first == "[" {
            dimensions += 1
            scalars = scalars.dropFirst()
        }
        guard dimensions <= maximumArrayDimensions, let first = scalars.first else { return false }
        switch first {
        case "Z", "B", "S", "C", "I", "J", "F", "D":
            return scalars.count == 1
        case "V":
            return scalars.count == 1 && dimensions == 0 && allowVoid
        case "L":
            guard scalars.count >= 3, scalars.last == ";" else { return false }
            let name = String(String.UnicodeScalarView(scalars.dropFirst().dropLast()))
            return name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { part in
                !part.isEmpty && part.unicodeScalars.allSatisfy { !";[/.()<>:".unicodeScalars.contains($0) && $0.value > 0x20 }
            }
        default:
            return false
        }
    }

    static func isClass(_ descriptor: String) -> Bool {
        descriptor.hasPrefix("L") && isValid(descriptor)
    }
}
