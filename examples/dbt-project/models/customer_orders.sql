select
    customers.customer_id,
    customers.customer_name,
    count(orders.order_id) as order_count,
    coalesce(sum(orders.amount), 0) as total_amount
from {{ ref('stg_customers') }} as customers
left join {{ ref('stg_orders') }} as orders
    on customers.customer_id = orders.customer_id
group by customers.customer_id, customers.customer_name
