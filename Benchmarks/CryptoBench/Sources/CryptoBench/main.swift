import CryptoCore
import Foundation

// One item = an EC P-256 client key, its certificate signed by the CA, and a modern PKCS#12 holding both
// plus the CA certificate. The openssl side does the same work with `req`, `x509 -req` and `pkcs12 -export`.

struct Options {
    var inProcessItems = 2000
    var processItems = 40

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--items": inProcessItems = Int(iterator.next() ?? "") ?? inProcessItems
            case "--openssl-items": processItems = Int(iterator.next() ?? "") ?? processItems
            default:
                FileHandle.standardError.write(Data("usage: CryptoBench [--items N] [--openssl-items N]\n".utf8))
                exit(2)
            }
        }
    }
}

func clockSeconds(_ clock: clockid_t) -> Double {
    var now = timespec()
    clock_gettime(clock, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

func monotonicSeconds() -> Double { clockSeconds(CLOCK_MONOTONIC) }

/// CPU seconds of this process, so a loaded machine shows up as wall time above CPU time.
func processCPUSeconds() -> Double { clockSeconds(CLOCK_PROCESS_CPUTIME_ID) }

/// CPU seconds of finished child processes (the openssl runs).
func childrenCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "unknown"
}

func run(_ arguments: [String], in directory: URL) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw NSError(domain: "CryptoBench", code: Int(process.terminationStatus),
                      userInfo: [NSLocalizedDescriptionKey: "openssl \(arguments.first ?? "") failed"])
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let password = "bench-password-\(UUID().uuidString)"

let caKey = try PrivateKey.generate(.ecP256)
let ca = try CertificateBuilder(subject: DistinguishedName("CN=bench CA,O=appseal"), publicKey: caKey.publicKey,
                                profile: .certificateAuthority(pathLength: 0), validityDays: 30).selfSigned(with: caKey)

/// Seconds spent in each step, summed over the measured items.
var stepSeconds = [0.0, 0.0, 0.0]

@MainActor
func issueInProcess(_ index: Int) throws -> Data {
    let start = monotonicSeconds()
    let key = try PrivateKey.generate(.ecP256)
    let keyDone = monotonicSeconds()
    let certificate = try CertificateBuilder(subject: DistinguishedName("CN=com.example.app\(index),O=appseal"),
                                             publicKey: key.publicKey, profile: .clientAuthentication, validityDays: 365,
                                             subjectAlternativeNames: [.uri("urn:appseal:app:android:com.example.app\(index)")])
        .signed(by: ca, key: caKey)
    let certificateDone = monotonicSeconds()
    let p12 = try PKCS12Bundle(privateKey: key, certificate: certificate, chain: [ca], friendlyName: "com.example.app\(index)")
        .encoded(password: password, profile: .modern)
    let end = monotonicSeconds()
    stepSeconds[0] += keyDone - start
    stepSeconds[1] += certificateDone - keyDone
    stepSeconds[2] += end - certificateDone
    return p12
}

// Warm up (provider fetches, caches), then measure.
for index in 0..<20 { _ = try issueInProcess(index) }
stepSeconds = [0, 0, 0]
var totalBytes = 0
let loadBefore = loadAverage()
let inStart = monotonicSeconds()
let inCPUStart = processCPUSeconds()
for index in 0..<options.inProcessItems { totalBytes += try issueInProcess(index).count }
let inProcessSeconds = monotonicSeconds() - inStart
let inProcessMs = inProcessSeconds * 1000 / Double(options.inProcessItems)
let inProcessCPUMs = (processCPUSeconds() - inCPUStart) * 1000 / Double(options.inProcessItems)

let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cryptobench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: scratch) }
try Data(ca.pem.utf8).write(to: scratch.appendingPathComponent("ca.pem"))
try Data(try caKey.pemEncoded().utf8).write(to: scratch.appendingPathComponent("ca.key"))
try Data((password + "\n").utf8).write(to: scratch.appendingPathComponent("pass"))
try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: scratch.appendingPathComponent("ca.key").path)
try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: scratch.appendingPathComponent("pass").path)
let extensions = """
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = URI:urn:appseal:app:android:com.example.cli

"""
try Data(extensions.utf8).write(to: scratch.appendingPathComponent("ext.cnf"))

func issueWithOpenSSL(_ index: Int) throws {
    try run(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", "client.key", "-out", "client.csr", "-subj", "/O=appseal/CN=com.example.app\(index)"], in: scratch)
    try run(["x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial",
             "0x" + (try SerialNumber.random()).hex, "-days", "365", "-sha256", "-extfile", "ext.cnf", "-out", "client.pem"], in: scratch)
    try run(["pkcs12", "-export", "-inkey", "client.key", "-in", "client.pem", "-certfile", "ca.pem",
             "-name", "com.example.app\(index)", "-passout", "file:pass", "-out", "client.p12"], in: scratch)
}

try issueWithOpenSSL(0)
let processStart = monotonicSeconds()
let childrenCPUStart = childrenCPUSeconds()
for index in 0..<options.processItems { try issueWithOpenSSL(index) }
let processSeconds = monotonicSeconds() - processStart
let processMs = processSeconds * 1000 / Double(options.processItems)
let processCPUMs = (childrenCPUSeconds() - childrenCPUStart) * 1000 / Double(options.processItems)

func ms(_ value: Double) -> String { String(format: "%.3f", value) }
let perItem = Double(options.inProcessItems)
let report = """
EC P-256 client certificate + modern PKCS#12 (AES-256-CBC, PBKDF2-HMAC-SHA256 x\(PKCS12Bundle.defaultIterations), SHA-256 MAC)
load average before: \(loadBefore) (2 cores shared with other builds inflate every figure; the ratio is from one run)
in-process (CryptoCore): \(options.inProcessItems) items in \(String(format: "%.3f", inProcessSeconds)) s = \(ms(inProcessMs)) ms/item wall, \(ms(inProcessCPUMs)) ms/item CPU (\(String(format: "%.0f", 1000 / inProcessMs)) items/s, avg \(totalBytes / options.inProcessItems) bytes)
  steps (wall): key \(ms(stepSeconds[0] * 1000 / perItem)) ms, certificate \(ms(stepSeconds[1] * 1000 / perItem)) ms, PKCS#12 \(ms(stepSeconds[2] * 1000 / perItem)) ms
openssl req + x509 -req + pkcs12 -export: \(options.processItems) items in \(String(format: "%.3f", processSeconds)) s = \(ms(processMs)) ms/item wall, \(ms(processCPUMs)) ms/item CPU
ratio: \(String(format: "%.1f", processMs / inProcessMs))x faster in-process by wall time, \(String(format: "%.1f", processCPUMs / inProcessCPUMs))x by CPU time (target: < 2 ms/item, >= 25x)

"""
FileHandle.standardOutput.write(Data(report.utf8))
