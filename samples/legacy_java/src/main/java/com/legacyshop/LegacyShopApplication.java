package com.legacyshop;

import com.legacyshop.common.AuditLogger;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.mybatis.spring.annotation.MapperScan;

/** Boots the whole shop. Everything lives in this one WAR since 2014. */
@SpringBootApplication
@MapperScan("com.legacyshop.orders")
public class LegacyShopApplication {

    public static void main(String[] args) {
        SpringApplication.run(LegacyShopApplication.class, args);
        AuditLogger.bootMessage("legacyshop started");
    }
}
