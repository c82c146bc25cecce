import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Real servers for end-to-end tests: nginx and HAProxy on 127.0.0.1, on a free port, with
/// every file (config, pid, logs, temp folders) under a temp prefix. They are stopped by
/// `stop()` or, at the latest, when the value goes away.
/// An outside program (a server, openssl, appseal itself) did not do what a test needed.
public struct ToolFailure: Error, CustomStringConvertible {
    public let tool: String
    public let reason: String
    public let log: String
    public var description: String { "\(tool) \(reason)\n--- log ---\n\(log)" }

    public init(tool: String, reason: String, log: String) {
        self.tool = tool
        self.reason = reason
        self.log = log
    }
}

public enum Network {
    /// A TCP port on 127.0.0.1 that nothing listens on right now (the kernel picks it).
    public static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ToolFailure(tool: "socket", reason: "socket() failed", log: "") }
        defer { close(descriptor) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ToolFailure(tool: "socket", reason: "bind() failed", log: "") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func isListening(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return connected == 0
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// Polls `condition` every 50 ms until it holds or `seconds` pass (the machine is shared and slow).
    public static func waitUntil(seconds: Double = 20, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }
}

/// A child process whose output goes to a log file.
final class LoggedProcess {
    let process = Process()
    let logURL: URL
    private let logHandle: FileHandle

    init(executable: String, arguments: [String], logURL: URL) throws {
        self.logURL = logURL
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        logHandle = try FileHandle(forWritingTo: logURL)
        process.executableURL = URL(fileURLWithPath: try ProcessRunner.resolve(executable))
        process.arguments = arguments
        process.standardOutput = logHandle
        process.standardError = logHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// Signals the process and waits for it to end, killing it if it does not within 10 s.
    func stop(signal: Int32 = SIGTERM) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, signal)
        if !Network.waitUntil(seconds: 10, { !process.isRunning }) {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        try? logHandle.close()
    }

    deinit { stop() }
}

/// nginx with one TLS server on 127.0.0.1:`port`. `serverDirectives` go inside the
/// `server { }` block (e.g. `include <snippet>;`); every location answers 200 "appseal-ok".
public final class NginxServer: @unchecked Sendable {
    public let port: Int
    public let prefix: URL
    private let configURL: URL
    private let errorLogURL: URL
    private var master: LoggedProcess?

    public init(serverCertificate: String, serverKey: String, serverDirectives: String) throws {
        prefix = FileManager.default.temporaryDirectory.appendingPathComponent("appseal-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: prefix.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        configURL = prefix.appendingPathComponent("nginx.conf")
        errorLogURL = prefix.appendingPathComponent("error.log")
        var lastFailure: Error?
        // A port found free can be taken by another test before nginx binds it: try a few.
        for _ in 0..<3 {
            let candidate = try Network.freePort()
            do {
                master = try Self.start(prefix: prefix, configURL: configURL, errorLogURL: errorLogURL, port: candidate,
                                        certificate: serverCertificate, key: serverKey, directives: serverDirectives)
                port = candidate
                return
            } catch {
                lastFailure = error
            }
        }
        try? FileManager.default.removeItem(at: prefix)
        throw lastFailure!
    }

    private static func start(prefix: URL, configURL: URL, errorLogURL: URL, port: Int,
                              certificate: String, key: String, directives: String) throws -> LoggedProcess {
        let temp = prefix.appendingPathComponent("tmp").path
        let config = """
        worker_processes 1;
        daemon off;
        pid \(prefix.path)/nginx.pid;
        error_log \(errorLogURL.path) notice;
        events { worker_connections 64; }
        http {
            access_log \(prefix.path)/access.log;
            client_body_temp_path \(temp)/body;
            proxy_temp_path \(temp)/proxy;
            fastcgi_temp_path \(temp)/fastcgi;
            uwsgi_temp_path \(temp)/uwsgi;
            scgi_temp_path \(temp)/scgi;
            server {
                listen 127.0.0.1:\(port) ssl;
                server_name localhost;
                ssl_certificate \(certificate);
                ssl_certificate_key \(key);
        \(directives)
                location / {
                    default_type text/plain;
                    return 200 "appseal-ok\\n";
                }
            }
        }

        """
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: errorLogURL.path, contents: nil)
        let process = try LoggedProcess(executable: "nginx",
                                        arguments: ["-p", prefix.path, "-e", errorLogURL.path, "-c", configURL.path],
                                        logURL: prefix.appendingPathComponent("stderr.log"))
        let up = Network.waitUntil { Network.isListening(port: port) || !process.process.isRunning }
        guard up, process.process.isRunning, Network.isListening(port: port) else {
            let errors = (try? String(contentsOf: errorLogURL, encoding: .utf8)) ?? ""
            process.stop()
            throw ToolFailure(tool: "nginx", reason: "did not start on port \(port)", log: errors + process.log)
        }
        return process
    }

    public var log: String {
        let errors = (try? String(contentsOf: errorLogURL, encoding: .utf8)) ?? ""
        return errors + (master?.log ?? "")
    }

    /// `nginx -s reload` (SIGHUP to the master), returning once the old worker has exited and a
    /// new one runs the new configuration; throws if nginx rejected the new configuration.
    public func reload() throws {
        guard let master, master.process.isRunning else {
            throw ToolFailure(tool: "nginx", reason: "is not running", log: log)
        }
        let before = (try? String(contentsOf: errorLogURL, encoding: .utf8)) ?? ""
        let oldWorkers = Self.workerPIDs(in: before)
        let result = try ProcessRunner.run("nginx", ["-p", prefix.path, "-e", errorLogURL.path, "-c", configURL.path, "-s", "reload"])
        guard result.succeeded else {
            throw ToolFailure(tool: "nginx", reason: "refused reload: \(result.combined)", log: log)
        }
        var failed = false
        let done = Network.waitUntil {
            let now = (try? String(contentsOf: errorLogURL, encoding: .utf8)) ?? ""
            let after = String(now.dropFirst(before.count))
            if after.contains("[emerg]") { failed = true; return true }
            let started = Self.workerPIDs(in: after)
            let exited = oldWorkers.allSatisfy { after.contains("worker process \($0) exited") }
            return !started.isEmpty && exited
        }
        guard done, !failed else {
            throw ToolFailure(tool: "nginx", reason: failed ? "rejected the new configuration" : "did not finish reloading", log: log)
        }
    }

    private static func workerPIDs(in log: String) -> [String] {
        log.components(separatedBy: "\n").compactMap { line in
            guard let range = line.range(of: "start worker process ") else { return nil }
            return String(line[range.upperBound...].prefix { $0.isNumber })
        }
    }

    public func stop() {
        master?.stop(signal: SIGTERM)
        master = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: prefix)
    }
}

/// HAProxy run in the foreground from one or more config files (`-f` each, in order). The
/// files must bind 127.0.0.1:`port`; reload is HAProxy's soft reload (`-sf <old pid>`).
public final class HAProxyServer: @unchecked Sendable {
    public let port: Int
    public let prefix: URL
    private let configFiles: [URL]
    private var current: LoggedProcess?
    private var generation = 0

    public init(port: Int, configFiles: [URL]) throws {
        self.port = port
        self.configFiles = configFiles
        prefix = FileManager.default.temporaryDirectory.appendingPathComponent("appseal-haproxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: prefix, withIntermediateDirectories: true)
        let check = try ProcessRunner.run("haproxy", ["-c"] + configFiles.flatMap { ["-f", $0.path] })
        guard check.succeeded else {
            throw ToolFailure(tool: "haproxy", reason: "rejected its configuration", log: check.combined)
        }
        try launch(replacing: nil)
    }

    private func launch(replacing old: LoggedProcess?) throws {
        generation += 1
        var arguments = ["-db"] + configFiles.flatMap { ["-f", $0.path] }
        if let old { arguments += ["-sf", String(old.process.processIdentifier)] }
        let process = try LoggedProcess(executable: "haproxy", arguments: arguments,
                                        logURL: prefix.appendingPathComponent("haproxy-\(generation).log"))
        if let old {
            // The old process stops accepting once the new one is bound, then exits.
            guard Network.waitUntil({ !old.process.isRunning || !process.process.isRunning }), process.process.isRunning else {
                process.stop()
                throw ToolFailure(tool: "haproxy", reason: "did not take over on reload", log: process.log)
            }
        }
        current = process
        guard Network.waitUntil({ Network.isListening(port: port) || !process.process.isRunning }),
              process.process.isRunning else {
            throw ToolFailure(tool: "haproxy", reason: "did not start on port \(port)", log: process.log)
        }
    }

    public var log: String { current?.log ?? "" }

    /// Re-reads the config files (and so the CA and CRL files they name).
    public func reload() throws {
        let check = try ProcessRunner.run("haproxy", ["-c"] + configFiles.flatMap { ["-f", $0.path] })
        guard check.succeeded else {
            throw ToolFailure(tool: "haproxy", reason: "rejected its new configuration", log: check.combined)
        }
        try launch(replacing: current)
    }

    public func stop() {
        current?.stop(signal: SIGTERM)
        current = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: prefix)
    }
}
