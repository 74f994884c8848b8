/** A service started by this process in Docker. */
export interface RunningContainer<Endpoint> {
  endpoint: Endpoint;
  /** Stops the container, unless it is a reusable one that must outlive this process (then a no-op). */
  stop(): Promise<void>;
}
