package dev.hourglass.op.keys;

import java.nio.file.Path;
import java.security.Provider;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JCA provider the dev OP signs tokens with: AWS-LC through the Amazon Corretto Crypto Provider
 * (ACCP) where its native library loads (Linux x86-64 and aarch64), else the JDK's own.
 *
 * <p>Why: a refresh grant is mostly one or two RS256 signatures. The JDK 17 signs in about 1 ms on the
 * 2-core bench machine, AWS-LC in about 0.24 ms, as fast as the OpenSSL that oidc-provider uses
 * (issue 7). RS256 signatures are deterministic, so both providers produce the same bytes; only the
 * time differs.
 *
 * <p>Loading ACCP (unpacking its library, its self-tests) takes about a third of a second, so it
 * happens on a background thread: {@link #provider()} is empty until it is ready and the OP signs
 * with the JDK meanwhile. The provider is only handed to the OP's own signers; it is never installed
 * JVM-wide, so TLS, SecureRandom and every verifier stay on the JDK. {@code
 * -Dhourglass.native-crypto=false} keeps everything on the JDK.
 */
public final class NativeSigning {
  private static final Logger LOG = LoggerFactory.getLogger(NativeSigning.class);
  private static final String ACCP = "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";

  private static final CountDownLatch LOADED = new CountDownLatch(1);
  private static volatile Provider provider;
  private static volatile String description = "JDK (the native provider is still loading)";
  private static boolean started;

  private NativeSigning() {}

  /** Starts loading the native provider in the background, once per JVM. Never blocks. */
  public static synchronized void preload() {
    if (started) {
      return;
    }
    started = true;
    boolean enabled = !"false".equalsIgnoreCase(System.getProperty("hourglass.native-crypto", "true"));
    Thread t = new Thread(() -> finish(load(ACCP, enabled)), "hourglass-native-crypto");
    t.setDaemon(true);
    t.start();
  }

  /** The native provider once it has loaded and passed its self-tests; empty before, or if it cannot load here. */
  public static Optional<Provider> provider() {
    return Optional.ofNullable(provider);
  }

  /** What signs right now, for the startup banner and logs: "AWS-LC … (ACCP …)" or "JDK (why)". */
  public static String description() {
    return description;
  }

  /** Waits up to {@code timeout} for the background load to end (either way); true if it ended. */
  public static boolean awaitLoaded(long timeout, TimeUnit unit) throws InterruptedException {
    preload();
    return LOADED.await(timeout, unit);
  }

  /**
   * What loading gave: the provider (null: the JDK signs) and why. {@code unexpected}: it should have
   * loaded here and did not (turned off or a missing jar are choices, not surprises).
   */
  record Loaded(Provider provider, String description, boolean unexpected) {}

  /** Loads {@code className} as the native provider and checks it; never throws. */
  static Loaded load(String className, boolean enabled) {
    if (!enabled) {
      return new Loaded(null, "JDK (-Dhourglass.native-crypto=false)", false);
    }
    try {
      Class<?> accp;
      Provider p;
      // Unpacked (in the provider's static init) into a directory of our own, cleared of what killed
      // starts left behind, unless the user chose another one (see NativeLibraryDir).
      Path ours = NativeLibraryDir.defaultDir();
      String chosen = System.getProperty(NativeLibraryDir.ACCP_TMPDIR);
      boolean ownDir = chosen == null || (ours != null && chosen.equals(ours.toString()));
      try (NativeLibraryDir libs = ownDir ? NativeLibraryDir.claim(ours) : null) {
        if (libs != null) {
          System.setProperty(NativeLibraryDir.ACCP_TMPDIR, libs.path().toString());
          if (libs.removed() > 0) {
            LOG.debug("token signing: removed {} native library copies left by killed starts in {}", libs.removed(), libs.path());
          }
        }
        accp = Class.forName(className);
        p = (Provider) accp.getField("INSTANCE").get(null);
      }
      Object error = accp.getMethod("getLoadingError").invoke(p);
      if (error != null) {
        return new Loaded(null, "JDK (the native provider failed to load: " + error + ")", true);
      }
      accp.getMethod("assertHealthy").invoke(p);
      String info = p.getInfo();   // "AmazonCorrettoCryptoProvider 2.5.0 (AWS-LC v1.47.0)"
      int open = info.indexOf('(');
      String lib = open >= 0 && info.endsWith(")") ? info.substring(open + 1, info.length() - 1) : "AWS-LC";
      return new Loaded(p, lib + " via Amazon Corretto Crypto Provider " + p.getVersionStr(), false);
    } catch (ClassNotFoundException e) {
      return new Loaded(null, "JDK (" + className + " is not on the class path)", false);
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      return new Loaded(null, "JDK (the native provider failed its checks: " + cause + ")", true);
    }
  }

  private static void finish(Loaded loaded) {
    description = loaded.description();
    provider = loaded.provider();
    LOADED.countDown();
    // Quiet when it works or was turned off; a platform where it should work but does not is worth a line.
    if (loaded.unexpected()) {
      LOG.info("token signing: {}; tokens are signed about 4x slower", loaded.description());
    } else {
      LOG.debug("token signing: {}", loaded.description());
    }
  }
}
