package org.convexdistill.serving;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Set;

/**
 * Who may call what, checked before any handler runs: the {@code Host} header (a page in a browser
 * can make it send requests to 127.0.0.1 — DNS rebinding — but not with a Host of ours), optional
 * bearer tokens (one for inference and reading, one for changing what is served), and JSON-only
 * admin changes (a cross-site {@code text/plain} POST needs no preflight; {@code application/json}
 * does).
 *
 * @param apiToken required on predict/infer and on reading {@code /v1/model} (null = none)
 * @param adminToken required on pin and unpin (null = none)
 * @param allowedHosts Host names (without port) accepted; empty = the loopback names when bound to
 *     a loopback address, any otherwise
 * @param maxInferBatch images one v2 infer request may carry
 */
public record HttpGuard(
    String apiToken, String adminToken, Set<String> allowedHosts, int maxInferBatch) {
  public static final int DEFAULT_MAX_INFER_BATCH = 64;

  private static final Set<String> LOOPBACK_NAMES =
      Set.of("localhost", "127.0.0.1", "[::1]", "::1");

  public HttpGuard {
    allowedHosts = Set.copyOf(allowedHosts);
    if (maxInferBatch < 1) {
      throw new IllegalArgumentException("--max-infer-batch must be >= 1");
    }
    if (apiToken != null && apiToken.isBlank() || adminToken != null && adminToken.isBlank()) {
      throw new IllegalArgumentException("a token file must not be empty");
    }
  }

  /** No tokens, default hosts, default batch cap. */
  public static HttpGuard open() {
    return new HttpGuard(null, null, Set.of(), DEFAULT_MAX_INFER_BATCH);
  }

  /** What a request is allowed to do. */
  enum Access {
    /** Health and metrics: probes and Prometheus, never behind a token. */
    PUBLIC,
    /** Inference and reading the model. */
    API,
    /** Changing what is served. */
    ADMIN
  }

  /**
   * Refuses a request that may not proceed.
   *
   * @param bindHost the address the server bound (decides the default host list)
   */
  void check(String bindHost, String host, String authorization, Access access)
      throws ApiException {
    if (!hostAllowed(bindHost, host)) {
      throw new ApiException.Forbidden("Host '" + host + "' is not one this server answers for");
    }
    String token = access == Access.ADMIN ? adminToken : access == Access.API ? apiToken : null;
    if (token == null) {
      return;
    }
    String given =
        authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
            ? authorization.substring(7).trim()
            : null;
    if (given == null) {
      throw new ApiException.Unauthorized(
          (access == Access.ADMIN ? "admin" : "API") + " token required: Authorization: Bearer …");
    }
    // Constant time: a token must not leak through how long a refusal takes.
    if (!MessageDigest.isEqual(
        given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
      throw new ApiException.Unauthorized("wrong token");
    }
  }

  private boolean hostAllowed(String bindHost, String host) {
    if (host == null || host.isBlank()) {
      return false; // HTTP/1.1 requires it
    }
    String name = stripPort(host.trim()).toLowerCase(Locale.ROOT);
    if (!allowedHosts.isEmpty()) {
      return allowedHosts.contains(name) || allowedHosts.contains("*");
    }
    return !isLoopback(bindHost) || LOOPBACK_NAMES.contains(name);
  }

  static String stripPort(String host) {
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end < 0 ? host : host.substring(0, end + 1);
    }
    int colon = host.lastIndexOf(':');
    return colon < 0 || host.indexOf(':') != colon ? host : host.substring(0, colon);
  }

  private static boolean isLoopback(String bindHost) {
    return bindHost.equals("localhost") || bindHost.startsWith("127.") || bindHost.equals("::1");
  }
}
