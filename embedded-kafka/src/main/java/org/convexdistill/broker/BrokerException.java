package org.convexdistill.broker;

/** The embedded broker could not be prepared or started. */
public final class BrokerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BrokerException(String message, Throwable cause) {
    super(message, cause);
  }
}
