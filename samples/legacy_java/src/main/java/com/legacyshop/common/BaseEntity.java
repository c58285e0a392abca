package com.legacyshop.common;

import java.time.Instant;
import javax.persistence.Column;
import javax.persistence.GeneratedValue;
import javax.persistence.GenerationType;
import javax.persistence.Id;
import javax.persistence.MappedSuperclass;

/** Id and audit columns shared by every entity. */
@MappedSuperclass
public abstract class BaseEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt = DateUtils.now();

    public Long getId() { return id; }

    public void setId(Long id) { this.id = id; }

    public Instant getCreatedAt() { return createdAt; }
}
