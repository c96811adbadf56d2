package uk.jlm.klaviyo.ops;

import java.util.UUID;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/** Names this process in outbox claims and feed leases, so several instances can share one database. */
@Component
public class InstanceId {

    private final String value;

    InstanceId(@Value("${instance.id:}") String configured) {
        this.value = StringUtils.hasText(configured) ? configured
                : ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String value() {
        return value;
    }
}
