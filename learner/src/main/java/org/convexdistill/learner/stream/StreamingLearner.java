package org.convexdistill.learner.stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.convexdistill.core.numeric.Finite;
import org.convexdistill.core.release.ReleaseSigner;
import org.convexdistill.core.release.ReleaseVerifier;
import org.convexdistill.core.stream.ActivationRecord;
import org.convexdistill.core.stream.OffsetRange;
import org.convexdistill.core.stream.RecordFormatException;
import org.convexdistill.core.stream.StudentRelease;
import org.convexdistill.core.student.StudentBlock;
import org.convexdistill.runtime.kafka.KafkaConnection;
import org.convexdistill.runtime.topics.DeadLetters;
import org.convexdistill.runtime.topics.StudentLog;
import org.convexdistill.runtime.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online learner: reads {@code activations}, keeps a sliding window, refits on cadence and
 * publishes validated student versions to {@code students} in a Kafka transaction.
 *
 * <p>Restart without replay: each release carries the window's offset ranges; on start the learner
 * reads the last release of its model, seeks every partition to the start of its range and reads
 * only the window again. Versions continue from the last committed one; the transactional id is
 * fixed per model, so a zombie instance is fenced and cannot publish a duplicate version.
 */
public final class StreamingLearner implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamingLearner.class);
  static final String STAGE = "learner";

  /** What happened at one refit, for progress displays and the demo's freshness figures. */
  public record Event(
      long version,
      RefitOutcome outcome,
      String reason,
      long triggeredAtMillis,
      long publishedAtMillis,
      Refit refit) {}

  /**
   * The learner's transactional id is this plus the model id: fixed per model, so a second instance
   * fences the first (and Kafka ACLs can grant exactly it).
   */
  public static final String TRANSACTIONAL_ID_PREFIX = "distill-learner-";

  private final KafkaConnection kafka;
  private final LearnerConfig config;
  private final LearnerMetrics metrics = new LearnerMetrics();
  private final Refitter refitter;
  private boolean basisLogged;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
  private final MeterRegistry registry;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private volatile Thread thread;
  private volatile boolean resumed;

  private volatile ActivationWindow window;

  /** The most recent held-out rows, in and beyond the window: what the gate scores on. */
  private ActivationWindow gateRows;

  /** Timestamp of the newest row taken into the window (the image's, from the stage). */
  private long newestRowMillis;

  /** The teacher's suffix (null without a teacher): also the shapes rows must have. */
  private final TeacherSuffix suffix;

  private volatile boolean fenced;

  private final ReleaseSigner signer;
  private final ReleaseVerifier resumeVerifier;
  private String teacherId;
  private int block = -1;
  private StudentRelease current;
  private WarmState warm;
  private RefitSchedule schedule;

  /** A learner without the teacher: candidates are gated on MSE only (agreement not measured). */
  public StreamingLearner(KafkaConnection kafka, LearnerConfig config, MeterRegistry registry) {
    this(kafka, config, registry, null);
  }

  /**
   * A learner whose candidates must pass the teacher-anchored gate: top-1 agreement with the
   * teacher through {@code suffix} at least {@link LearnerConfig#minAgreement()}.
   */
  public StreamingLearner(
      KafkaConnection kafka, LearnerConfig config, MeterRegistry registry, TeacherSuffix suffix) {
    this(kafka, config, registry, suffix, null, List.of());
  }

  /**
   * A learner that signs every release with {@code signer} (null = unsigned: serving nodes that
   * check signatures refuse them) and, on resume, continues only from a release signed by its own
   * key or one of {@code previousKeys} (the keys before a rotation).
   */
  public StreamingLearner(
      KafkaConnection kafka,
      LearnerConfig config,
      MeterRegistry registry,
      TeacherSuffix suffix,
      ReleaseSigner signer,
      List<PublicKey> previousKeys) {
    if (config.solver() == LearnerConfig.Solver.ADMM) {
      // Fail at start, not at every refit: ADMM's kernel grows with the window's square.
      org.convexdistill.solver.GatedAdmm.requireKernelFits(
          config.windowSize(),
          org.bytedeco.javacpp.Pointer.maxBytes() - org.bytedeco.javacpp.Pointer.totalBytes());
    }
    this.signer = signer;
    if (signer == null) {
      this.resumeVerifier = null;
    } else {
      List<PublicKey> trusted = new ArrayList<>(previousKeys);
      trusted.add(signer.publicKey());
      this.resumeVerifier = new ReleaseVerifier(trusted);
    }
    this.kafka = kafka;
    this.config = config;
    this.refitter = new Refitter(config, suffix);
    this.suffix = suffix;
    this.registry = registry;
    metrics.bindTo(registry);
    metrics.windowCapacity(config.windowSize());
  }

  /** Called on the learner thread after each refit. */
  public void addListener(Consumer<Event> listener) {
    listeners.add(listener);
  }

  /** Rows in the window now. */
  public int windowFill() {
    return window == null ? 0 : window.size();
  }

  /** Last published version (0 = none). */
  public long version() {
    return metrics.version();
  }

  /**
   * False once the learner's thread died (not by {@link #close}): no version would ever be
   * published again, so the process should be restarted.
   */
  public boolean alive() {
    Thread t = thread;
    return !fenced && (closed.get() || t == null || t.isAlive());
  }

  /** True once a newer instance fenced this one: it stopped and publishes nothing more. */
  public boolean fenced() {
    return fenced;
  }

  /** True once the students log is read and the activations positioned: the learner is working. */
  public boolean ready() {
    return resumed && alive();
  }

  /** Starts {@link #run} on a daemon thread. */
  public Thread start() {
    Thread t = new Thread(this, "distill-learner");
    t.setDaemon(true);
    thread = t;
    t.start();
    return t;
  }

  @Override
  public void run() {
    try (KafkaProducer<String, byte[]> producer = producer();
        KafkaConsumer<String, byte[]> c = activationsConsumer()) {
      consumer = c;
      KafkaClientMetrics km = new KafkaClientMetrics(c);
      km.bindTo(registry);
      // initTransactions first: it completes or aborts whatever a previous instance left open, so
      // the log read next is final.
      producer.initTransactions();
      Optional<StudentRelease> last = StudentLog.latest(kafka, config.modelId(), resumeVerifier);
      Map<Integer, Long> restoreTo = position(c, last.orElse(null));
      last.ifPresent(
          s -> {
            current = s;
            teacherId = s.teacherId();
            block = s.block();
            metrics.published(s.version(), s.parameters());
            LOG.info("resuming after version {} (window {} rows)", s.version(), s.windowSize());
          });
      schedule = new RefitSchedule(config, System.currentTimeMillis());
      resumed = true;
      while (!closed.get()) {
        consume(c.poll(Duration.ofMillis(200)), restoreTo, producer);
        if (window != null
            && schedule.due(window.isFull(), current != null, System.currentTimeMillis())) {
          drain(c, restoreTo, producer);
          refit(producer);
        }
      }
      km.close();
    } catch (WakeupException e) {
      if (!closed.get()) {
        throw e;
      }
    } catch (ProducerFencedException | InvalidProducerEpochException e) {
      // Another instance with this model's transactional id started: it owns the lineage now.
      // This one must publish nothing more (its uncommitted release is aborted) and stop.
      LOG.error("fenced by a newer learner of {}; stopping: {}", config.modelId(), e.toString());
      fenced = true;
    } catch (RuntimeException e) {
      LOG.error("learner stopped: {}", e.toString(), e);
      throw e;
    }
  }

  private void consume(
      ConsumerRecords<String, byte[]> records,
      Map<Integer, Long> restoreTo,
      KafkaProducer<String, byte[]> producer) {
    List<ProducerRecord<String, byte[]>> dead = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : records) {
      accept(r, restoreTo, dead);
    }
    if (!dead.isEmpty() && !commit(producer, dead)) {
      LOG.warn(
          "{} dead letters not written (Kafka unavailable); their rows were skipped", dead.size());
    }
  }

  /**
   * Reads everything committed up to now before a fit, so the window is the newest rows: one poll
   * per refit read ≤ 500 of the ~3,000 rows that arrive during a 60 s refit, and the learner fell
   * further behind with every version. Bounded in time in case input outruns the reads.
   */
  private void drain(
      KafkaConsumer<String, byte[]> c,
      Map<Integer, Long> restoreTo,
      KafkaProducer<String, byte[]> producer) {
    Map<TopicPartition, Long> end;
    try {
      end = c.endOffsets(c.assignment());
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      LOG.warn("cannot read the end of the input (broker away?); fitting what is here");
      return;
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!closed.get() && !StudentLog.reached(c, end) && System.nanoTime() < deadline) {
      consume(c.poll(Duration.ofMillis(100)), restoreTo, producer);
    }
  }

  /**
   * Seeks each partition to the start of the last window (or the beginning) and says where the
   * restored part of the window ends.
   */
  private Map<Integer, Long> position(KafkaConsumer<String, byte[]> c, StudentRelease last) {
    List<TopicPartition> tps = StudentLog.partitions(c, Topics.ACTIVATIONS);
    c.assign(tps);
    Map<Integer, Long> restoreTo = new HashMap<>();
    Map<Integer, OffsetRange> ranges = new HashMap<>();
    if (last != null) {
      last.window().forEach(r -> ranges.put(r.partition(), r));
    }
    for (TopicPartition tp : tps) {
      OffsetRange r = ranges.get(tp.partition());
      if (r == null) {
        c.seekToBeginning(List.of(tp));
      } else {
        c.seek(tp, r.from());
        restoreTo.put(tp.partition(), r.to());
      }
    }
    return restoreTo;
  }

  private void accept(
      ConsumerRecord<String, byte[]> r,
      Map<Integer, Long> restoreTo,
      List<ProducerRecord<String, byte[]>> dead) {
    metrics.record();
    // Rows up to the last release's window end are being restored: whatever of them was bad was
    // dead-lettered before that release was committed, so it is skipped, not sent again.
    boolean restoring = r.offset() <= restoreTo.getOrDefault(r.partition(), -1L);
    ActivationRecord a;
    try {
      a = ActivationRecord.decode(r.value());
    } catch (RecordFormatException e) {
      reject(r, "malformed", e.getMessage(), restoring, dead);
      return;
    }
    if (window == null && suffix != null && suffix.blockInputSize() >= 0) {
      // Dimensions come from the teacher, not from whichever record happens to come first.
      if (a.z().length != suffix.blockInputSize() || a.y().length != suffix.blockOutputSize()) {
        reject(
            r,
            "wrong-shape",
            "activation shapes "
                + a.zShape()
                + " → "
                + a.yShape()
                + " are not the teacher block's ("
                + suffix.blockInputSize()
                + " → "
                + suffix.blockOutputSize()
                + " values)",
            restoring,
            dead);
        return;
      }
    }
    if (window == null) {
      window = new ActivationWindow(config.windowSize(), a.zShape().size(), a.yShape().size());
      gateRows = new ActivationWindow(config.gateRows(), a.zShape().size(), a.yShape().size());
      if (teacherId == null) {
        teacherId = a.teacherId();
        block = a.block();
      }
    }
    if (!a.teacherId().equals(teacherId) || a.block() != block) {
      reject(
          r,
          "foreign-teacher",
          "activations of teacher "
              + a.teacherId()
              + " block "
              + a.block()
              + "; this learner fits teacher "
              + teacherId
              + " block "
              + block,
          restoring,
          dead);
      return;
    }
    if (a.z().length != window.zDim() || a.y().length != window.yDim()) {
      reject(
          r,
          "wrong-shape",
          "activation shapes " + a.zShape() + " → " + a.yShape() + " differ from the window's",
          restoring,
          dead);
      return;
    }
    if (!Finite.all(a.z(), a.y())) {
      // One NaN row in the window would make every refit fail until it slid out.
      reject(r, "non-finite", "activation row holds a NaN or an infinity", restoring, dead);
      return;
    }
    window.add(r.partition(), r.offset(), a.z(), a.y());
    newestRowMillis = Math.max(newestRowMillis, r.timestamp());
    if (Refitter.isHeldOut(r.offset(), config.holdoutEvery())) {
      gateRows.add(r.partition(), r.offset(), a.z(), a.y());
    }
    metrics.windowSize(window.size());
    schedule.onRow(restoring, window.isFull(), System.currentTimeMillis());
  }

  /**
   * Dead-letters {@code r}. {@code category} is one of a few constants (the metric's bounded {@code
   * reason} tag); {@code reason} is the full text that goes into the record's header.
   */
  private void reject(
      ConsumerRecord<String, byte[]> r,
      String category,
      String reason,
      boolean restoring,
      List<ProducerRecord<String, byte[]>> dead) {
    noteSkipped(r);
    if (!restoring) {
      metrics.deadLetter(category);
      dead.add(deadLetter(r, reason));
    }
  }

  private static ProducerRecord<String, byte[]> deadLetter(
      ConsumerRecord<String, byte[]> r, String reason) {
    return new ProducerRecord<>(
        Topics.DEAD_LETTER,
        null,
        r.key(),
        r.value(),
        DeadLetters.headers(r.headers(), STAGE, reason, r.topic(), r.partition(), r.offset()));
  }

  private void noteSkipped(ConsumerRecord<String, byte[]> r) {
    if (window != null) {
      window.skipped(r.partition(), r.offset());
    }
  }

  private void refit(KafkaProducer<String, byte[]> producer) {
    long triggered = schedule.start(current != null, System.currentTimeMillis());
    ActivationWindow.Snapshot snap = window.snapshot();
    // A CNN release (fitted offline) can neither warm-start nor be compared by the convex checks.
    StudentBlock currentStudent = current == null ? null : current.mlpStudent();
    Refit r;
    if (!basisLogged && config.headWeight() > 0) {
      basisLogged = true;
      if (refitter.outputBasis(snap.yDim()) == null) {
        LOG.warn(
            "the teacher's suffix after the block is not linear (or no teacher is loaded):"
                + " students are fitted to block outputs only, --head-weight is not applied");
      } else {
        LOG.info(
            "students are fitted with the teacher's logits in the loss (head weight {}, {}"
                + " classifier directions)",
            config.headWeight(),
            refitter.outputBasis(snap.yDim()).rank());
      }
    }
    try {
      r =
          refitter.fit(
              snap,
              gateRows.snapshot(),
              warm,
              currentStudent,
              warm == null ? currentStudent : null,
              current == null ? 0 : current.selectionLambda());
    } catch (RuntimeException e) {
      LOG.warn("refit failed: {}", e.getMessage());
      metrics.refit(RefitOutcome.FAILED, null);
      emit(new Event(0, RefitOutcome.FAILED, e.getMessage(), triggered, 0, null));
      return;
    }
    CandidateCheck.Verdict v = CandidateCheck.check(r, snap.zDim(), snap.yDim(), config);
    if (!v.accepted()) {
      LOG.info("candidate rejected: {}", v.reason());
      metrics.refit(RefitOutcome.REJECTED, r);
      // Keep the warm state: the next window starts from this solution all the same.
      warm = r.next();
      emit(new Event(0, RefitOutcome.REJECTED, v.reason(), triggered, 0, r));
      return;
    }
    StudentRelease release =
        ReleaseAssembly.next(
            config, teacherId, block, current, r, snap.ranges(), System.currentTimeMillis());
    long version = release.version();
    byte[] value = release.encode();
    RecordHeaders headers = new RecordHeaders();
    if (signer != null) {
      headers.add(ReleaseSigner.HEADER, signer.sign(value));
    }
    if (!commit(
        producer,
        List.of(new ProducerRecord<>(Topics.STUDENTS, null, config.modelId(), value, headers)))) {
      // Not published: the next refit publishes this version number instead, from this state.
      metrics.refit(RefitOutcome.FAILED, r);
      warm = r.next();
      emit(new Event(0, RefitOutcome.FAILED, "Kafka unavailable", triggered, 0, r));
      return;
    }
    current = release;
    warm = r.next();
    metrics.published(version, release.parameters());
    if (newestRowMillis > 0) {
      metrics.dataAge((System.currentTimeMillis() - newestRowMillis) / 1000.0);
    }
    metrics.refit(RefitOutcome.PUBLISHED, r);
    LOG.info(
        "published version {} ({} units, gap {}, agreement with the teacher {}, {} iterations, {} s)",
        version,
        release.nonzeroGroups(),
        release.relativeGap(),
        release.teacherAgreement(),
        r.iterations(),
        r.solverSeconds());
    emit(new Event(version, RefitOutcome.PUBLISHED, "ok", triggered, release.createdAtMillis(), r));
  }

  /**
   * Sends {@code records} in one transaction. A broker that is away (restart, network) is not a
   * reason to die: a commit that timed out is retried (the producer allows exactly that), any other
   * non-fatal error aborts, and the caller tries again later. Fencing is fatal (see run).
   *
   * @return false when nothing was committed
   */
  private boolean commit(
      KafkaProducer<String, byte[]> producer, List<ProducerRecord<String, byte[]>> records) {
    try {
      producer.beginTransaction();
      records.forEach(producer::send);
      for (int attempt = 1; ; attempt++) {
        try {
          producer.commitTransaction();
          return true;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
          if (attempt == 5 || closed.get()) {
            throw e;
          }
          LOG.warn("commit timed out (attempt {}), retrying: {}", attempt, e.getMessage());
        }
      }
    } catch (ProducerFencedException
        | InvalidProducerEpochException
        | org.apache.kafka.common.errors.AuthorizationException e) {
      throw e;
    } catch (org.apache.kafka.common.KafkaException e) {
      LOG.warn("transaction not committed, aborting: {}", e.toString());
      try {
        producer.abortTransaction();
      } catch (org.apache.kafka.common.KafkaException abort) {
        LOG.warn("abort failed too: {}", abort.toString());
      }
      return false;
    }
  }

  private void emit(Event e) {
    for (Consumer<Event> l : listeners) {
      l.accept(e);
    }
  }

  private KafkaProducer<String, byte[]> producer() {
    Properties p = kafka.clientProperties();
    // Fixed per model: a second instance fences the first, so no version is published twice.
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TRANSACTIONAL_ID_PREFIX + config.modelId());
    // A block-4 release is ~5.4 MB; the default request limit is 1 MB.
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 64 << 20);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "distill-learner");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private KafkaConsumer<String, byte[]> activationsConsumer() {
    Properties p = kafka.clientProperties();
    // Only what the exactly-once inference stage committed; never an aborted batch.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "distill-learner");
    // No group and no committed offsets: positions come from the last release's lineage.
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Stops: waits up to 15 s for a refit in progress to end (its result is then discarded if not yet
   * committed); the thread is a daemon, so an unfinished solve never holds the JVM.
   */
  @Override
  public void close() {
    closed.set(true);
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    Thread t = thread;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
