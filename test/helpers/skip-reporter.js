/**
 * Lists every skipped test at the end of a run, with its full name, which says why (runIf in
 * skips.ts puts the reason in it): jest itself names skipped tests only in --verbose, and not at
 * all in a file whose every test is skipped. Only the idiom's skips are listed (they carry their
 * reason): jest reports tests a -t pattern leaves out as pending too.
 */
class SkipReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.testResults.flatMap((file) =>
      file.testResults
        .filter((test) => test.status === "pending" && test.fullName.includes("[skipped: "))
        .map((test) => test.fullName),
    );
    if (skipped.length === 0) return;
    process.stdout.write(`\nSkipped here (${skipped.length}), each saying why:\n`);
    for (const name of skipped) process.stdout.write(`  - ${name}\n`);
  }
}

module.exports = SkipReporter;
