import AndroidPackage
import ArchiveKit
import CryptoCore
import Foundation

extension BuildRun {
    func signStage() throws -> StageOutcome {
        guard case let .identity(_, _, label)? = state.signing else {
            info(.sign, "left unsigned, as asked: sign it with the certificate(s) the blob is sealed for, or it cannot unseal")
            return .skipped
        }
        guard let session = state.signingSession else {
            throw BuildFailure(.internalError, "Sign has no entries written by Repackage")
        }
        state.signingProgress?.move(to: .sign)
        let result: ApkSigningResult
        do {
            result = try session.finish()
        } catch let error as ApkSigningError where error == .cancelled {
            throw BuildCancelled()
        }
        state.signingSession = nil
        state.signingProgress = nil
        state.outputSHA256 = result.outputSHA256
        state.signatureSchemes = result.schemes.map { "v\($0.rawValue)" }
        info(.sign, "signed with \(label): schemes \(state.signatureSchemes.joined(separator: "+")) for minSdk \(result.minSdk), "
            + "\(result.signatureAlgorithm)")
        return .done
    }

    func verifyStage() throws -> StageOutcome {
        guard let output = state.outputTemporary, let app = state.app else {
            throw BuildFailure(.internalError, "Verify has no output")
        }
        // The report needs the output's SHA-256. The signer computed it from the bytes it wrote;
        // an unsigned output is hashed here, while the checks below read the same file.
        var hashing: Completion<Result<String, Error>>?
        if state.outputSHA256 == nil {
            let size = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? NSNumber)?.uint64Value ?? 0
            hashing = AppInspector.sha256InBackground(of: output.path, size: size)
        }
        defer { if let hashing { state.outputSHA256 = try? hashing.waitBlocking().get() } }
        var results: [VerificationResult] = []
        var signerDigests: [Data] = state.sealedForSigners
        let archive = try ZipArchiveOpener.open(output.path)
        if case .identity = state.signing {
            let report = try ApkVerifier.verify(archive: archive)
            let schemes = report.schemes.filter(\.verified).map(\.scheme).joined(separator: "+")
            results.append(VerificationResult(
                check: "APK signature (appseal verify)", passed: report.verified,
                detail: report.verified ? "verified: \(schemes)" : (report.errors.joined(separator: "; "))))
            signerDigests = report.schemes.flatMap(\.signers).compactMap { Data(hexString: $0.certificateSHA256.replacingOccurrences(of: ":", with: "").lowercased()) }
        }
        let misaligned = archive.entries.filter { entry in
            entry.method == .stored && entry.dataOffset % UInt64(Self.alignment(for: entry.name)) != 0
        }
        results.append(VerificationResult(check: "alignment", passed: misaligned.isEmpty,
                                          detail: misaligned.isEmpty ? "every stored entry aligned (4 bytes, 16 KiB for .so)"
                                              : "misaligned: \(misaligned.map(\.name).joined(separator: ", "))"))
        if fusionSet.features[FeatureID.blockCleartextTraffic] != nil {
            let facts = try AppInspector.android(archive: archive, path: output.path, format: .apk, sha256: "")
            results.append(VerificationResult(check: "usesCleartextTraffic", passed: facts.usesCleartextTraffic == false,
                                              detail: "manifest reads usesCleartextTraffic=\(facts.usesCleartextTraffic.map(String.init) ?? "unset")"))
        }
        results += runtimeVerification(output: archive)
        if let credential = state.credential {
            results.append(unsealCheck(archive: archive, signerDigests: signerDigests, credential: credential, appID: app.appID))
        }
        state.verification = results
        for result in results {
            say(result.passed ? .info : .error, .verify, "\(result.passed ? "ok" : "FAILED"): \(result.check): \(result.detail)")
        }
        if let failed = results.first(where: { !$0.passed }) {
            throw BuildFailure(.failed, "verification failed: \(failed.check): \(failed.detail)")
        }
        return .done
    }

    /// Opens the blob the way the runtime will: from the output's own signer(s).
    private func unsealCheck(archive: ZipArchive, signerDigests: [Data], credential: BuildCredential,
                             appID: String) -> VerificationResult {
        let check = "sealed blob"
        guard let entry = archive.entry(named: SealedBlob.assetPath) else {
            return VerificationResult(check: check, passed: false, detail: "\(SealedBlob.assetPath) is missing")
        }
        do {
            let payload = try SealedBlob.open(Data(try archive.readData(entry)), signerCertificateSHA256: signerDigests)
            let bundle = try PKCS12Bundle(der: payload.pkcs12, password: payload.pkcs12Password)
            guard bundle.certificate == credential.certificate, payload.configuration.appID == appID,
                  payload.configuration.buildID == id else {
                return VerificationResult(check: check, passed: false, detail: "the blob holds another certificate or build")
            }
            return VerificationResult(check: check, passed: true,
                                      detail: "opens with the signer certificate; holds certificate \(credential.serial)")
        } catch let error as SealedBlobError {
            return VerificationResult(check: check, passed: false, detail: error.message)
        } catch {
            return VerificationResult(check: check, passed: false, detail: "\(error)")
        }
    }
}

/// The signer reports progress from its worker threads; this forwards it in order, to the
/// stage that is running (one signing pass spans Repackage and Sign).
final class ThreadSafeProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let run: BuildRun
    private var stage: BuildStage
    private var reporter: ProgressReporter?

    init(run: BuildRun, stage: BuildStage) {
        self.run = run
        self.stage = stage
    }

    /// Later reports go to `stage`, as bytes done of the same total.
    func move(to stage: BuildStage) {
        lock.withLock {
            self.stage = stage
            reporter = nil
        }
    }

    func report(_ done: Int64, _ total: Int64) {
        lock.withLock {
            if reporter == nil { reporter = run.progress(stage, total: total) }
            try? reporter?.report(done)
        }
    }
}
