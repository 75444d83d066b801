package org.convexdistill.ingest.stage;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;
import org.convexdistill.runtime.topics.Topics;

/** images → (decode, batch, teacher prefix + block k) → activations | dead-letter. */
public final class InferenceTopology {
  /** The per-partition buffer of decoded images waiting for a batch. */
  static final String BUFFER_STORE = "image-buffer";

  private InferenceTopology() {}

  /**
   * Adds the stage to {@code builder} and returns the built topology.
   *
   * @param worker where the teacher runs (every partition's processor shares it)
   */
  public static Topology buildTopology(
      StreamsBuilder builder,
      BlockInference teacher,
      TeacherWorker worker,
      InferenceConfig config,
      IngestMetrics metrics) {
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(BUFFER_STORE), Serdes.Long(), Serdes.ByteArray())
            .withLoggingEnabled(java.util.Map.of()));
    builder.stream(Topics.IMAGES, Consumed.with(Serdes.String(), Serdes.ByteArray()))
        .process(
            () -> new InferenceProcessor(teacher, worker, config, metrics),
            Named.as("teacher"),
            BUFFER_STORE)
        .split(Named.as("route-"))
        .branch(
            (k, v) -> v.ok(),
            Branched.withConsumer(
                s ->
                    s.mapValues(Outcome::bytes)
                        .to(Topics.ACTIVATIONS, Produced.with(Serdes.String(), Serdes.ByteArray())),
                "activations"))
        .defaultBranch(
            Branched.withConsumer(
                s ->
                    s.mapValues(Outcome::bytes)
                        .to(Topics.DEAD_LETTER, Produced.with(Serdes.String(), Serdes.ByteArray())),
                "dead-letter"));
    return builder.build();
  }
}
