package uk.jlm.klaviyo.jlm;

/** An OR11 order that passed the contract checks, with its raw JSON kept for the snapshot and dead letters. */
public record ReadOrder(MiraklOrder order, String rawJson) {
}
