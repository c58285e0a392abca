package com.legacyshop.common;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Writes who-did-what rows; every module calls it. */
@Component
public class AuditLogger {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLogger.class);

    private final JdbcTemplate jdbc;

    public AuditLogger(JdbcTemplate jdbc) { this.jdbc = jdbc; }

    public void record(String actor, String action, Long subjectId) {
        jdbc.update("INSERT INTO audit_log (actor, action, subject_id, created_at) VALUES (?, ?, ?, ?)",
                actor, action, subjectId, DateUtils.now());
    }

    public static void bootMessage(String message) { LOG.info(message); }
}
