package com.legacyshop.catalog;

import com.legacyshop.common.BaseEntity;
import javax.persistence.*;

@Entity
@Table(name = "categories")
public class Category extends BaseEntity {

    @Column(name = "name", nullable = false)
    private String name;

    @ManyToOne
    @JoinColumn(name = "parent_id")
    private Category parent;

    public String getName() { return name; }

    public Category getParent() { return parent; }
}
