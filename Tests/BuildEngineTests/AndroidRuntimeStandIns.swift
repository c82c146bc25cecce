import Foundation

/// Java for the runtime's JVM tests: minimal stand-ins for the few `android.*` classes the runtime
/// touches (kept as small as the runtime's calls allow), the driver that plays the app, and a probe
/// that calls the runtime's package-private parsers with hostile input. The runtime itself is the
/// DEX appseal assembles, converted to JVM classes by enjarify.
enum AndroidRuntimeStandIns {
    static let driverClass = "appsealtest.Driver"
    static let probeClass = "io.appseal.runtime.v1.Probe"

    /// Writes `files` under `folder`; returns their paths, for javac.
    static func write(into folder: URL) throws -> [String] {
        try files.map { file in
            let url = folder.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.source.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
    }

    static let files: [(path: String, source: String)] = [
        (path: "android/content/ContentProvider.java", source: #"""
        package android.content;

        /** Test stand-in: the platform attaches the context, then calls onCreate. */
        public abstract class ContentProvider {
            private Context context;

            public final Context getContext() { return context; }

            public boolean attachInfo(Context context) {
                this.context = context;
                return onCreate();
            }

            public abstract boolean onCreate();
            public abstract android.database.Cursor query(android.net.Uri uri, String[] projection, String selection, String[] arguments, String order);
            public abstract String getType(android.net.Uri uri);
            public abstract android.net.Uri insert(android.net.Uri uri, ContentValues values);
            public abstract int delete(android.net.Uri uri, String selection, String[] arguments);
            public abstract int update(android.net.Uri uri, ContentValues values, String selection, String[] arguments);
        }
        """#),
        (path: "android/content/ContentValues.java", source: #"""
        package android.content;

        public final class ContentValues {}
        """#),
        (path: "android/content/Context.java", source: #"""
        package android.content;

        /** Test stand-in: an app context with an assets folder and a package manager. */
        public class Context {
            private final String packageName;
            private final android.content.res.AssetManager assets;
            private final android.content.pm.PackageManager packageManager;

            public Context(String packageName, android.content.res.AssetManager assets, android.content.pm.PackageManager packageManager) {
                this.packageName = packageName;
                this.assets = assets;
                this.packageManager = packageManager;
            }

            public android.content.res.AssetManager getAssets() { return assets; }
            public android.content.pm.PackageManager getPackageManager() { return packageManager; }
            public String getPackageName() { return packageName; }
        }
        """#),
        (path: "android/content/pm/PackageInfo.java", source: #"""
        package android.content.pm;

        public class PackageInfo {
            public Signature[] signatures;
            public SigningInfo signingInfo;
        }
        """#),
        (path: "android/content/pm/PackageManager.java", source: #"""
        package android.content.pm;

        /** Test stand-in: GET_SIGNATURES reports the legacy signer, GET_SIGNING_CERTIFICATES the current one (key rotation). */
        public final class PackageManager {
            private final String packageName;
            private final Signature legacy;
            private final Signature current;

            public PackageManager(String packageName, Signature legacy, Signature current) {
                this.packageName = packageName;
                this.legacy = legacy;
                this.current = current;
            }

            public PackageInfo getPackageInfo(String name, int flags) {
                if (!name.equals(packageName)) throw new IllegalArgumentException("unknown package " + name);
                PackageInfo info = new PackageInfo();
                if ((flags & 0x40) != 0) info.signatures = new Signature[] { legacy };
                if ((flags & 0x08000000) != 0) info.signingInfo = new SigningInfo(new Signature[] { current });
                return info;
            }
        }
        """#),
        (path: "android/content/pm/Signature.java", source: #"""
        package android.content.pm;

        public final class Signature {
            private final byte[] certificate;

            public Signature(byte[] certificate) { this.certificate = certificate.clone(); }

            public byte[] toByteArray() { return certificate.clone(); }
        }
        """#),
        (path: "android/content/pm/SigningInfo.java", source: #"""
        package android.content.pm;

        public final class SigningInfo {
            private final Signature[] signers;

            SigningInfo(Signature[] signers) { this.signers = signers; }

            public Signature[] getApkContentsSigners() { return signers.clone(); }
        }
        """#),
        (path: "android/content/res/AssetManager.java", source: #"""
        package android.content.res;

        /** Test stand-in: assets are the files under a folder. */
        public final class AssetManager {
            private final java.io.File root;

            public AssetManager(java.io.File root) { this.root = root; }

            public java.io.InputStream open(String name) throws java.io.IOException {
                return new java.io.FileInputStream(new java.io.File(root, name));
            }
        }
        """#),
        (path: "android/database/Cursor.java", source: #"""
        package android.database;

        public interface Cursor {}
        """#),
        (path: "android/net/Uri.java", source: #"""
        package android.net;

        public abstract class Uri {}
        """#),
        (path: "android/os/Build.java", source: #"""
        package android.os;

        public class Build {
            public static class VERSION {
                /** Set by the test driver to choose the code path of a given Android release. */
                public static int SDK_INT = 21;
            }
        }
        """#),
        (path: "android/util/Log.java", source: #"""
        package android.util;

        /** Test stand-in: logcat lines on stdout, "<level>/<tag>: <message>". */
        public final class Log {
            public static int i(String tag, String message) { return print("I", tag, message); }
            public static int w(String tag, String message) { return print("W", tag, message); }
            public static int e(String tag, String message) { return print("E", tag, message); }
            public static int e(String tag, String message, Throwable error) { return print("E", tag, message + ": " + error); }

            private static int print(String level, String tag, String message) {
                System.out.println(level + "/" + tag + ": " + message);
                return 0;
            }
        }
        """#),
        (path: "appsealtest/Driver.java", source: #"""
        package appsealtest;

        import java.io.File;
        import java.net.URI;
        import java.net.URL;
        import java.net.http.HttpClient;
        import java.net.http.HttpRequest;
        import java.net.http.HttpResponse;
        import java.nio.file.Files;
        import java.security.KeyStore;
        import javax.net.ssl.HttpsURLConnection;
        import javax.net.ssl.SSLContext;
        import javax.net.ssl.SSLSocketFactory;
        import javax.net.ssl.TrustManager;
        import javax.net.ssl.TrustManagerFactory;

        /**
         * Requests every URL with three clients, before and after the provider's onCreate:
         * "plain" (HttpsURLConnection's default factory), "null-managers" (SSLContext.getInstance("TLS")
         * with init(null, null, null)) and "platform-trust" (init(null, {platform trust manager}, null), as
         * OkHttp does), and "engine" (java.net.http over SSLEngine with SSLContext.getDefault(), the API
         * Netty and gRPC use). Prints "<phase> <client> <url> <status>" or "... refused <reason>".
         * Arguments: assets folder, legacy signer DER, current signer DER, SDK_INT, URLs.
         */
        public final class Driver {
            public static void main(String[] arguments) throws Exception {
                File assets = new File(arguments[0]);
                android.content.pm.Signature legacy = new android.content.pm.Signature(Files.readAllBytes(new File(arguments[1]).toPath()));
                android.content.pm.Signature current = new android.content.pm.Signature(Files.readAllBytes(new File(arguments[2]).toPath()));
                android.os.Build.VERSION.SDK_INT = Integer.parseInt(arguments[3]);
                for (int index = 4; index < arguments.length; index++) requestAll("before", arguments[index]);
                String packageName = "com.example.sealed";
                android.content.Context context = new android.content.Context(packageName,
                    new android.content.res.AssetManager(assets), new android.content.pm.PackageManager(packageName, legacy, current));
                boolean created = new io.appseal.runtime.v1.AppsealProvider().attachInfo(context);
                System.out.println("onCreate " + created);
                for (int index = 4; index < arguments.length; index++) requestAll("after", arguments[index]);
            }

            static void requestAll(String phase, String url) {
                request(phase, "plain", url, null);
                try {
                    SSLContext context = SSLContext.getInstance("TLS");
                    context.init(null, null, null);
                    request(phase, "null-managers", url, context.getSocketFactory());
                    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                    factory.init((KeyStore) null);
                    SSLContext okhttpStyle = SSLContext.getInstance("TLS");
                    okhttpStyle.init(null, factory.getTrustManagers(), null);
                    request(phase, "platform-trust", url, okhttpStyle.getSocketFactory());
                } catch (Exception error) {
                    System.out.println(phase + " context " + url + " failed " + error);
                }
                requestWithEngine(phase, url);
            }

            static void requestWithEngine(String phase, String url) {
                String outcome;
                try {
                    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .sslContext(SSLContext.getDefault()).build();
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString());
                    outcome = String.valueOf(response.statusCode());
                } catch (Exception error) {
                    outcome = refusal(error);
                }
                System.out.println(phase + " engine " + url + " " + outcome);
            }

            static String refusal(Throwable error) {
                Throwable root = error;
                while (root.getCause() != null) root = root.getCause();
                return "refused " + root;
            }

            static void request(String phase, String client, String url, SSLSocketFactory factory) {
                String outcome;
                try {
                    HttpsURLConnection connection = (HttpsURLConnection) new URL(url).openConnection();
                    if (factory != null) connection.setSSLSocketFactory(factory);
                    connection.setConnectTimeout(10000);
                    connection.setReadTimeout(10000);
                    outcome = String.valueOf(connection.getResponseCode());
                    connection.disconnect();
                } catch (Exception error) {
                    outcome = refusal(error);
                }
                System.out.println(phase + " " + client + " " + url + " " + outcome);
            }
        }
        """#),
        (path: "io/appseal/runtime/v1/Probe.java", source: #"""
        package io.appseal.runtime.v1;

        import java.nio.charset.StandardCharsets;
        import java.nio.file.Files;
        import java.nio.file.Paths;
        import java.security.GeneralSecurityException;
        import java.security.MessageDigest;
        import java.util.Base64;

        /**
         * Calls the runtime's package-private parsers directly (same package, another jar) with hostile
         * input. Prints one line per check: "ok <name>" or "FAIL <name>: <detail>".
         * Arguments: a sealed blob and the DER certificate it is sealed for.
         */
        public final class Probe {
            static int failures = 0;

            public static void main(String[] arguments) throws Exception {
                byte[] blob = Files.readAllBytes(Paths.get(arguments[0]));
                byte[][] signers = { MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(Paths.get(arguments[1]))) };

                byte[] payload = SealedBlob.open(blob, signers);
                Credential credential = Credential.parse(payload);
                System.out.println("configuration " + credential.configuration);
                System.out.println("password " + new String(credential.password));
                System.out.println("pkcs12 " + credential.pkcs12.length);

                int flipped = 0;
                for (int index = 0; index < blob.length; index++) {
                    byte[] altered = blob.clone();
                    altered[index] ^= 0x01;
                    if (rejects(() -> SealedBlob.open(altered, signers))) flipped++;
                    else fail("flip", "byte " + index + " changed and the blob still opened");
                }
                check("every-byte-flip", flipped == blob.length, flipped + " of " + blob.length);
                int truncated = 0;
                for (int length = 0; length < blob.length; length++) {
                    byte[] prefix = java.util.Arrays.copyOf(blob, length);
                    if (rejects(() -> SealedBlob.open(prefix, signers))) truncated++;
                }
                check("every-truncation", truncated == blob.length, truncated + " of " + blob.length);
                check("trailing-byte", rejects(() -> SealedBlob.open(java.util.Arrays.copyOf(blob, blob.length + 1), signers)), "");
                check("no-signers", rejects(() -> SealedBlob.open(blob, new byte[0][])), "");

                // The payload's lengths, crafted without encryption.
                byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
                check("payload-valid", parses(payload(json, new byte[] { 1, 2, 3 }, "pw", 0)), "");
                check("payload-empty", !parses(new byte[0]), "");
                check("payload-config-too-long", !parses(lengthOnly(0x7fffffff)), "");
                check("payload-config-negative", !parses(lengthOnly(0xffffffff)), "");
                check("payload-trailing", !parses(payload(json, new byte[] { 1 }, "pw", 1)), "");
                byte[] short1 = payload(json, new byte[] { 1 }, "pw", 0);
                check("payload-every-truncation", everyPrefixRejected(short1), "");

                // The configuration.
                String base = "\"buildID\":\"b\",\"platform\":\"android\",\"hosts\":[\"API.Example.com\",\"*.example.org\"]";
                Policy policy = Policy.parse("{\"version\":1," + base + ",\"pinScheme\":null,\"tlsMinimum\":\"1.2\"}");
                check("scheme-null-is-public-key", "public-key".equals(policy.scheme), policy.scheme);
                check("tls-minimum-1.2", policy.minimumRank == 3, "" + policy.minimumRank);
                check("hosts-lower-case", policy.presentsTo("api.example.com") && policy.presentsTo("API.EXAMPLE.COM"), "");
                check("wildcard-subdomain", policy.presentsTo("a.example.org") && policy.presentsTo("a.b.example.org"), "");
                check("wildcard-not-apex", !policy.presentsTo("example.org") && !policy.presentsTo(".example.org") && !policy.presentsTo("badexample.org"), "");
                check("unlisted-host", !policy.presentsTo("api.example.net") && !policy.presentsTo(null), "");
                check("empty-hosts-any", Policy.parse("{\"version\":1,\"buildID\":\"b\",\"platform\":\"android\",\"hosts\":[]}").presentsTo(null), "");
                String[] rejected = {
                    "{\"version\":2," + base + "}",
                    "{\"version\":1,\"buildID\":\"b\",\"platform\":\"ios\",\"hosts\":[]}",
                    "{\"version\":1," + base + ",\"pinScheme\":\"spki\"}",
                    "{\"version\":1," + base + ",\"tlsMinimum\":\"1.1\"}",
                    "{\"version\":1," + base + ",\"pins\":{\"a.example.com\":[\"sha1/AAAA\"]}}",
                    "{\"version\":1," + base + ",\"pins\":{\"a.example.com\":\"sha256/AAAA\"}}",
                    "{\"version\":1,\"buildID\":\"b\",\"platform\":\"android\"}",
                    "not json",
                };
                for (int index = 0; index < rejected.length; index++) {
                    String text = rejected[index];
                    check("configuration-rejected-" + index, rejects(() -> Policy.parse(text)), text);
                }
                Policy pinned = Policy.parse("{\"version\":1," + base + ",\"pins\":{\"*.example.org\":[\"sha256/A\"],\"a.example.org\":[\"sha256/B\"]}}");
                check("pins-exact-first", "sha256/B".equals(pinned.pinsFor("a.example.org").getString(0)), "");
                check("pins-wildcard", "sha256/A".equals(pinned.pinsFor("b.example.org").getString(0)), "");
                check("pins-none", pinned.pinsFor("example.org") == null, "");

                boolean base64 = true;
                for (int length = 0; length < 70; length++) {
                    byte[] data = new byte[length];
                    for (int index = 0; index < length; index++) data[index] = (byte) (index * 37 + length);
                    base64 &= Base64.getEncoder().encodeToString(data).equals(Policy.base64(data));
                }
                check("base64", base64, "");
                check("protocol-rank", Policy.protocolRank("TLSv1.3") == 4 && Policy.protocolRank("TLSv1.2") == 3
                    && Policy.protocolRank("TLSv1.1") == 2 && Policy.protocolRank("TLSv1") == 1 && Policy.protocolRank("SSLv3") == 0
                    && Policy.protocolRank(null) == 0, "");
                System.out.println("failures " + failures);
            }

            interface Attempt { Object run() throws Exception; }

            static boolean rejects(Attempt attempt) {
                try {
                    attempt.run();
                    return false;
                } catch (GeneralSecurityException | org.json.JSONException expected) {
                    return true;
                } catch (Exception other) {
                    fail("exception", other.toString());
                    return false;
                }
            }

            static boolean parses(byte[] payload) {
                return !rejects(() -> Credential.parse(payload));
            }

            static boolean everyPrefixRejected(byte[] payload) {
                for (int length = 0; length < payload.length; length++) {
                    if (parses(java.util.Arrays.copyOf(payload, length))) return false;
                }
                return true;
            }

            static byte[] lengthOnly(int value) {
                return new byte[] { (byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24), 0, 0, 0, 0 };
            }

            static byte[] payload(byte[] configuration, byte[] pkcs12, String password, int trailing) {
                byte[] secret = password.getBytes(StandardCharsets.UTF_8);
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                out.write(lengthOnly(configuration.length), 0, 4);
                out.write(configuration, 0, configuration.length);
                out.write(lengthOnly(pkcs12.length), 0, 4);
                out.write(pkcs12, 0, pkcs12.length);
                out.write(secret.length & 0xff);
                out.write(secret.length >>> 8);
                out.write(secret, 0, secret.length);
                for (int index = 0; index < trailing; index++) out.write(0);
                return out.toByteArray();
            }

            static void check(String name, boolean passed, String detail) {
                if (passed) System.out.println("ok " + name);
                else fail(name, detail);
            }

            static void fail(String name, String detail) {
                failures++;
                System.out.println("FAIL " + name + ": " + detail);
            }
        }
        """#),
    ]
}
