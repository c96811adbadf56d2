package uk.jlm.klaviyo.consent;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;

import uk.jlm.klaviyo.support.FlowTestSupport;
import uk.jlm.klaviyo.support.KlaviyoContract;
import uk.jlm.klaviyo.support.OrderFixtures;

class ConsentFlowTest extends FlowTestSupport {

    private static ObjectNode customer(String id, String email, Boolean accepts, String updatedAt) {
        ObjectNode customer = OrderFixtures.JSON.createObjectNode();
        customer.put("customer_id", id);
        customer.put("email", email);
        if (accepts != null) {
            customer.put("accepts_marketing", accepts);
        }
        if (updatedAt != null) {
            customer.put("updated_at", updatedAt);
        }
        return customer;
    }

    private static String page(List<ObjectNode> customers, String next) {
        ObjectNode page = OrderFixtures.JSON.createObjectNode();
        page.putArray("customers").addAll(customers);
        if (next == null) {
            page.putNull("next_page_token");
        } else {
            page.put("next_page_token", next);
        }
        return page.toString();
    }

    private static void stubFeed(ObjectNode... customers) {
        JLM.stubFor(get(urlPathEqualTo(CONSENT_FEED)).atPriority(1).willReturn(okJson(page(List.of(customers), null))));
    }

    private static List<LoggedRequest> jobs(String path) {
        return KLAVIYO.findAll(postRequestedFor(urlPathEqualTo(path)));
    }

    private static List<JsonNode> profiles(String path) {
        return jobs(path).stream().flatMap(r -> {
            try {
                ArrayNode data = (ArrayNode) OrderFixtures.JSON.readTree(r.getBodyAsString()).at("/data/attributes/profiles/data");
                return java.util.stream.StreamSupport.stream(data.spliterator(), false);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
    }

    private static void awaitProfiles(String path, int n) {
        await().atMost(Duration.ofSeconds(30)).until(() -> profiles(path).size() >= n);
    }

    @Test
    void optInSubscribesWithJlmConsentTime() {
        stubFeed(customer("C-1", "jane@shop.example.org", true, "2026-11-20T10:15:00Z"));
        awaitProfiles(SUBSCRIBE, 1);

        JsonNode job = readJson(jobs(SUBSCRIBE).get(0).getBodyAsString()).get("data");
        assertThat(job.get("type").asText()).isEqualTo("profile-subscription-bulk-create-job");
        assertThat(job.at("/attributes/historical_import").asBoolean()).isTrue();
        assertThat(job.at("/relationships/list/data/id").asText()).isEqualTo("LIST123");
        JsonNode profile = job.at("/attributes/profiles/data/0/attributes");
        assertThat(profile.get("email").asText()).isEqualTo("jane@shop.example.org");
        assertThat(profile.at("/subscriptions/email/marketing/consent").asText()).isEqualTo("SUBSCRIBED");
        assertThat(profile.at("/subscriptions/email/marketing/consented_at").asText()).isEqualTo("2026-11-20T10:15:00Z");
        assertThat(jobs(UNSUBSCRIBE)).isEmpty();
        KlaviyoContract.assertValid(jobs(SUBSCRIBE));

        awaitPolls(2);
        assertThat(jobs(SUBSCRIBE)).hasSize(1);
    }

    @Test
    void optOutUnsubscribes() {
        stubFeed(customer("C-2", "out@shop.example.org", false, "2026-11-20T10:15:00Z"));
        awaitProfiles(UNSUBSCRIBE, 1);
        JsonNode profile = profiles(UNSUBSCRIBE).get(0).get("attributes");
        assertThat(profile.get("email").asText()).isEqualTo("out@shop.example.org");
        assertThat(profile.at("/subscriptions/email/marketing/consent").asText()).isEqualTo("UNSUBSCRIBED");
        assertThat(jobs(SUBSCRIBE)).isEmpty();
        KlaviyoContract.assertValid(jobs(UNSUBSCRIBE));
    }

    @Test
    void anOlderOptInNeverOverridesANewerOptOut() {
        stubFeed(customer("C-3", "c3@shop.example.org", false, "2026-11-20T12:00:00Z"));
        awaitProfiles(UNSUBSCRIBE, 1);
        stubFeed(customer("C-3", "c3@shop.example.org", true, "2026-11-20T11:00:00Z"));
        awaitPolls(3);

        assertThat(jobs(SUBSCRIBE)).isEmpty();
        assertThat(jdbc.queryForObject("SELECT accepts_marketing FROM consent_state WHERE customer_id = 'C-3'",
                Boolean.class)).isFalse();
    }

    @Test
    void whenTheSourcesDisagreeTheNewestWins() {
        // The order says yes at 10:41:07 (its last_updated_date); the feed said no at 09:00 and says no again at 11:00.
        stubFeed(customer("CUST-TEST-0001", "notification+fake0token0001@notification.mirakl.invalid", false,
                "2026-11-03T09:00:00Z"));
        awaitProfiles(UNSUBSCRIBE, 1);
        ObjectNode order = OrderFixtures.placed("CNS-1-A").json();
        order.withArray("order_additional_fields").addObject().put("code", "marketing-opt-in").put("type", "BOOLEAN")
                .put("value", "true");
        stubOrders(OrderFixtures.page(List.of(order), 1));
        awaitProfiles(SUBSCRIBE, 1);
        assertThat(profiles(SUBSCRIBE).get(0).at("/attributes/subscriptions/email/marketing/consented_at").asText())
                .isEqualTo("2026-11-03T10:41:07Z");

        stubFeed(customer("CUST-TEST-0001", "notification+fake0token0001@notification.mirakl.invalid", false,
                "2026-11-03T11:00:00Z"));
        awaitProfiles(UNSUBSCRIBE, 2);
        assertThat(jdbc.queryForObject("SELECT accepts_marketing FROM consent_state WHERE customer_id = 'CUST-TEST-0001'",
                Boolean.class)).isFalse();
    }

    @Test
    void unknownConsentBadEmailsAndMissingTimesAreDeadLetteredAndTheRestProceeds() {
        stubFeed(customer("C-4", "not-an-email", true, "2026-11-20T10:00:00Z"),
                customer("C-5", "c5@shop.example.org", true, null),
                customer("C-6", "c6@shop.example.org", null, "2026-11-20T10:00:00Z"),
                customer("C-7", "c7@shop.example.org", true, "2026-11-20T10:00:00Z"));
        awaitProfiles(SUBSCRIBE, 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters().size() >= 3);
        awaitPolls(2);

        assertThat(profiles(SUBSCRIBE)).extracting(p -> p.at("/attributes/email").asText())
                .containsExactly("c7@shop.example.org");
        assertThat(deadLetters()).extracting(d -> (String) d.get("REASON")).anyMatch(r -> r.contains("invalid email"))
                .anyMatch(r -> r.contains("C-5") && r.contains("no timestamp"))
                .anyMatch(r -> r.contains("C-6") && r.contains("no timestamp"));
        assertThat(deadLetters()).hasSize(3);
    }

    @Test
    void thousandsOfChangesAreBatchedWithinKlaviyosLimitsAcrossPages() {
        List<ObjectNode> optIns = java.util.stream.IntStream.range(0, 2_250)
                .mapToObj(i -> customer("B-" + i, "b" + i + "@shop.example.org", true, "2026-11-20T10:00:00Z")).toList();
        List<ObjectNode> optOuts = java.util.stream.IntStream.range(0, 250)
                .mapToObj(i -> customer("U-" + i, "u" + i + "@shop.example.org", false, "2026-11-20T10:00:00Z")).toList();
        List<ObjectNode> all = new java.util.ArrayList<>(optIns);
        all.addAll(optOuts);
        JLM.stubFor(get(urlPathEqualTo(CONSENT_FEED)).atPriority(2)
                .willReturn(okJson(page(all.subList(0, 1_500), "page-2"))));
        JLM.stubFor(get(urlPathEqualTo(CONSENT_FEED)).withQueryParam("page_token", equalTo("page-2")).atPriority(1)
                .willReturn(okJson(page(all.subList(1_500, 2_500), null))));

        awaitProfiles(SUBSCRIBE, 2_250);
        awaitProfiles(UNSUBSCRIBE, 250);
        awaitPolls(2);

        assertThat(profiles(SUBSCRIBE)).hasSize(2_250);
        assertThat(profiles(UNSUBSCRIBE)).hasSize(250);
        assertThat(jobs(SUBSCRIBE)).allSatisfy(job -> assertThat(readJson(job.getBodyAsString())
                .at("/data/attributes/profiles/data").size()).isLessThanOrEqualTo(1_000));
        assertThat(jobs(UNSUBSCRIBE)).allSatisfy(job -> assertThat(readJson(job.getBodyAsString())
                .at("/data/attributes/profiles/data").size()).isLessThanOrEqualTo(100));
        assertThat(jobs(SUBSCRIBE).size()).isGreaterThanOrEqualTo(3);
        assertThat(jobs(UNSUBSCRIBE).size()).isGreaterThanOrEqualTo(3);
        KlaviyoContract.assertValid(jobs(SUBSCRIBE).subList(0, 1));
        KlaviyoContract.assertValid(jobs(UNSUBSCRIBE).subList(0, 1));
    }

    @Test
    void aJobRejectedAsAWholeIsSplitToIsolateTheBadProfile() {
        KLAVIYO.stubFor(post(SUBSCRIBE).withRequestBody(containing("poison@shop.example.org")).atPriority(1)
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/vnd.api+json")
                        .withBody("{\"errors\":[{\"id\":\"e\",\"code\":\"invalid\",\"title\":\"Invalid input.\","
                                + "\"detail\":\"Invalid email address\",\"source\":{\"pointer\":\"/data/attributes/profiles/data/3\"}}]}")));
        List<ObjectNode> customers = new java.util.ArrayList<>(java.util.stream.IntStream.range(0, 7)
                .mapToObj(i -> customer("S-" + i, "s" + i + "@shop.example.org", true, "2026-11-20T10:00:00Z")).toList());
        customers.add(3, customer("S-P", "poison@shop.example.org", true, "2026-11-20T10:00:00Z"));
        stubFeed(customers.toArray(ObjectNode[]::new));

        await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters().size() == 1
                && outboxCount("DONE") == 7);
        assertThat((String) deadLetters().get(0).get("PAYLOAD")).contains("poison@shop.example.org");
        assertThat(((Number) deadLetters().get(0).get("HTTP_STATUS")).intValue()).isEqualTo(400);
        assertThat(profiles(SUBSCRIBE).stream().map(p -> p.at("/attributes/email").asText()).distinct())
                .contains("s0@shop.example.org", "s6@shop.example.org");
    }

    private static JsonNode readJson(String text) {
        try {
            return OrderFixtures.JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
