package dev.hourglass.gateway.session;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/**
 * Where sessions live between requests: {@code memory} (one gateway), {@code file} (survives a
 * restart or kill -9), {@code redis} (many gateway replicas). All methods are asynchronous and
 * never block the event loop.
 *
 * <p>Stores only keep and find records; they do not decide expiry. The gateway enforces idle
 * timeout and max lifetime on read, against its clock. A store may drop records after
 * {@link #save}'s {@code retainUntil} as a clean-up hint.
 */
public interface SessionStore {

  /** The session with this id, if the store has it. */
  Future<Optional<Session>> load(String id);

  /**
   * Creates or replaces the session. {@code retainUntil} is the latest instant the record can
   * still be valid (its absolute expiry); stores may forget it afterwards.
   */
  Future<Void> save(Session session, java.time.Instant retainUntil);

  /** Removes the session; true if it existed. */
  Future<Boolean> delete(String id);

  /** Sessions whose OP {@code sid} is this (back- and front-channel logout). */
  Future<List<Session>> findByOpSessionId(String issuer, String sid);

  /** Sessions of this subject at this issuer (back-channel logout without {@code sid}). */
  Future<List<Session>> findBySubject(String issuer, String subject);

  /** Releases files, connections. */
  Future<Void> close();
}
