package org.convexdistill.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import org.convexdistill.app.UserException;
import org.convexdistill.core.release.ReleaseKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distill keys generate}: the Ed25519 pair that signs student releases. */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = "Release-signing keys.",
    subcommands = {KeysCommand.Generate.class})
final class KeysCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException("say what to do: 'distill keys generate --out DIR'");
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description =
          "Write a new Ed25519 key pair: DIR/release-signing.key (the learner's, owner-only) and"
              + " DIR/release-signing.pub (every serving node's).")
  static final class Generate implements Callable<Integer> {
    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Where to write.")
    Path out;

    @Option(names = "--force", description = "Replace keys already in DIR.")
    boolean force;

    @Override
    public Integer call() throws Exception {
      Path priv = out.resolve(ReleaseKeys.PRIVATE_FILE);
      if (Files.exists(priv) && !force) {
        throw new UserException(
            priv
                + " exists; keep it, or replace it with --force (releases signed by the old key"
                + " are then refused by nodes that no longer trust it)");
      }
      KeyPair pair = ReleaseKeys.generate();
      ReleaseKeys.write(pair, out);
      System.out.printf(
          "key %s: %s (learner: --release-signing-key), %s (serving: --release-public-key)%n",
          ReleaseKeys.id(pair.getPublic()), priv, out.resolve(ReleaseKeys.PUBLIC_FILE));
      return 0;
    }
  }
}
