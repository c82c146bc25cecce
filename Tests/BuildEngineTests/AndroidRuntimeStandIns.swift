/// Java for the runtime's JVM tests: minimal stand-ins for the few `android.*` classes the runtime
/// touches (kept as small as the runtime's calls allow) and the driver that plays the app. The
/// runtime itself is the DEX appseal assembles, converted to JVM classes by enjarify.
enum AndroidRuntimeStandIns {
    static let driverClass = "appsealtest.Driver"

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
        import java.net.URL;
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
         * OkHttp does). Prints "<phase> <client> <url> <status>" or "... refused <reason>".
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
                    Throwable root = error;
                    while (root.getCause() != null) root = root.getCause();
                    outcome = "refused " + root;
                }
                System.out.println(phase + " " + client + " " + url + " " + outcome);
            }
        }
        """#),
    ]
}
