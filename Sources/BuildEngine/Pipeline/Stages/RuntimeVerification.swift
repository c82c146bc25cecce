import AndroidPackage
import ArchiveKit
import Foundation

extension BuildRun {
    /// Verify's checks of the injected runtime, on the output: the manifest declares our provider,
    /// the added DEX is the runtime byte for byte, and the app's own DEX files are the input's.
    func runtimeVerification(output archive: ZipArchive) -> [VerificationResult] {
        guard let plan = state.runtimePlan else { return [] }
        var results: [VerificationResult] = []
        let providerCheck = "runtime provider"
        do {
            let document = try Self.inputManifest(archive, path: archive.path)
            let providers = RuntimeInjection.runtimeProviders(in: document)
            if providers.count != 1 {
                results.append(VerificationResult(check: providerCheck, passed: false,
                                                  detail: "the manifest declares \(providers.count) appseal providers, not 1"))
            } else if let mismatch = RuntimeInjection.mismatch(of: providers[0], authority: plan.authority) {
                results.append(VerificationResult(check: providerCheck, passed: false, detail: mismatch))
            } else {
                let detail = "<provider \(AndroidRuntime.providerClass)> with authority \(plan.authority), "
                    + "exported=false, initOrder=\(RuntimeInjection.initOrder)"
                results.append(VerificationResult(check: providerCheck, passed: true, detail: detail))
            }
        } catch {
            results.append(VerificationResult(check: providerCheck, passed: false, detail: "\(error)"))
        }

        let dexCheck = "runtime DEX"
        do {
            guard let entry = archive.entry(named: plan.dexName) else {
                throw BuildFailure(.failed, "\(plan.dexName) is missing")
            }
            let same = try RuntimeInjection.isRuntimeDEX(entry, in: archive)
            let detail = same ? "\(plan.dexName) is the assembled runtime (\(entry.uncompressedSize) bytes)"
                : "\(plan.dexName) differs from the assembled runtime"
            results.append(VerificationResult(check: dexCheck, passed: same, detail: detail))
        } catch {
            results.append(VerificationResult(check: dexCheck, passed: false, detail: "\(error)"))
        }

        // Raw copies keep the CRC-32 and both sizes of the input's entry; a changed DEX cannot keep all three.
        let originalCheck = "app DEX files"
        do {
            let input = try ZipArchiveOpener.open(record.inputPath)
            let changed = plan.originalDEX.filter { name in
                guard let before = input.entry(named: name), let after = archive.entry(named: name) else { return true }
                return before.crc32 != after.crc32 || before.uncompressedSize != after.uncompressedSize
                    || before.compressedSize != after.compressedSize || before.method != after.method
            }
            results.append(VerificationResult(check: originalCheck, passed: changed.isEmpty,
                                              detail: changed.isEmpty ? "\(plan.originalDEX.joined(separator: ", ")) unchanged"
                                                  : "changed or missing: \(changed.joined(separator: ", "))"))
        } catch {
            results.append(VerificationResult(check: originalCheck, passed: false, detail: "\(error)"))
        }
        return results
    }
}
