package dev.hourglass.gateway.session;

class MemorySessionStoreContractTest extends SessionStoreContract {
  @Override
  protected SessionStore newStore() {
    return new MemorySessionStore(Sessions.keys().sessionIds(), clock, 1000);
  }

  @Override
  protected SessionStore reopen(SessionStore old) {
    return old; // memory has no restart; the contract still holds without one
  }
}
