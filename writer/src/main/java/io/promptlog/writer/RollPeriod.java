package io.promptlog.writer;

/**
 * How often the queue starts a new cycle file. Cycle files are the unit the compactor deletes once
 * every record in them is compacted, so a shorter period frees disk sooner.
 */
public enum RollPeriod {
    HOURLY,
    DAILY
}
